import { EdgeqError, ErrorCode } from "../runtime/errors.ts";

/** Data that does not fit a model or a task: wrong shape, empty, non-finite, unknown source. */
export class DataError extends EdgeqError {
  constructor(message: string) {
    super(ErrorCode.BadArgument, message);
    this.name = "DataError";
  }
}
