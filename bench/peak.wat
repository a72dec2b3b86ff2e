;; Synthetic SIMD128 int8 peak: a register-only loop of 8 independent i32x4.dot_i16x8_s +
;; i32x4.add chains (no memory traffic). Each dot is 8 multiply-adds = 16 int8-equivalent ops.
;; The 8 dots take 8 distinct operand pairs from 4 vectors so V8 cannot merge any of them.
;; peak(n) runs n x 8 dots and returns a lane so the work is not dead.
(module
  (func (export "peak") (param $n i32) (result i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
    (local.set $a (i16x8.splat (local.get $n)))
    (local.set $b (i16x8.splat (i32.const 3)))
    (local.set $c (i16x8.splat (i32.const 5)))
    (local.set $d (i16x8.splat (i32.const 7)))
    (block $done
      (loop $top
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $c0 (i32x4.add (local.get $c0) (i32x4.dot_i16x8_s (local.get $a) (local.get $b))))
        (local.set $c1 (i32x4.add (local.get $c1) (i32x4.dot_i16x8_s (local.get $a) (local.get $c))))
        (local.set $c2 (i32x4.add (local.get $c2) (i32x4.dot_i16x8_s (local.get $a) (local.get $d))))
        (local.set $c3 (i32x4.add (local.get $c3) (i32x4.dot_i16x8_s (local.get $b) (local.get $c))))
        (local.set $c4 (i32x4.add (local.get $c4) (i32x4.dot_i16x8_s (local.get $b) (local.get $d))))
        (local.set $c5 (i32x4.add (local.get $c5) (i32x4.dot_i16x8_s (local.get $c) (local.get $d))))
        (local.set $c6 (i32x4.add (local.get $c6) (i32x4.dot_i16x8_s (local.get $a) (local.get $a))))
        (local.set $c7 (i32x4.add (local.get $c7) (i32x4.dot_i16x8_s (local.get $b) (local.get $b))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $top)))
    (i32x4.extract_lane 0
      (i32x4.add
        (i32x4.add (i32x4.add (local.get $c0) (local.get $c1)) (i32x4.add (local.get $c2) (local.get $c3)))
        (i32x4.add (i32x4.add (local.get $c4) (local.get $c5)) (i32x4.add (local.get $c6) (local.get $c7)))))))
