"""Constants of the float32 libm (src/engine/compile/libm/coeffs.ts).

Run with any Python 3 that has mpmath and numpy (e.g. the fixture venv:
/tmp/jaxenv/bin/python scripts/make_libm_coeffs.py; then
`npx biome format --write src/engine/compile/libm/coeffs.ts`).

Polynomials are minimax fits found by Lawson's algorithm (iteratively reweighted least squares,
which converges to the minimax solution) on 2000 Chebyshev nodes, against 40-digit mpmath values,
with the weight that turns each fit's error into the function's relative error. Coefficients are
rounded to float32 one at a time, lowest degree first, refitting the rest after each rounding, so
that the rounding of one is compensated by the others. The splits of pi/2 and ln 2 are rounded to
fixed binary grids (Cody and Waite, Software Manual for the Elementary Functions, 1980), so that
k * piece is exact for the k the reductions use.
"""
import os
import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 40


def f32(x):
    return float(np.float32(float(x)))


def cheb(lo, hi, n):
    return (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (np.arange(n) + 0.5) / n)


def lawson(A, y, w, iters=300):
    lw = np.ones(len(y)) / len(y)
    for _ in range(iters):
        sw = np.sqrt(lw) * w
        c, *_ = np.linalg.lstsq(A * sw[:, None], y * sw, rcond=None)
        err = np.abs((A @ c - y) * w)
        lw = lw * (err + 1e-300)
        lw /= lw.sum()
    return c


def fit(name, g, lo, hi, deg, weight, n=2000):
    t = cheb(lo, hi, n)
    y = np.array([float(g(mp.mpf(float(ti)))) for ti in t])
    w = np.array([weight(ti) for ti in t])
    A = np.vander(t, deg + 1, increasing=True)
    fixed = []
    for k in range(deg + 1):
        rest = y - (A[:, :k] @ np.array(fixed) if k else 0)
        fixed.append(f32(lawson(A[:, k:], rest, w)[0]))
    err = np.abs((A @ np.array(fixed) - y) * w).max()
    print(f'{name}: degree {deg}, max weighted error {err:.3g}', file=sys.stderr)
    return fixed


def grid_split(v, grids):
    """v as pieces, each rounded to a multiple of 2^-g for g in grids, then a float32 rest."""
    out = []
    for g in grids:
        p = mp.nint(v * 2**g) / 2**g
        out.append(float(p))
        v -= p
    out.append(f32(v))
    return out


pio2 = mp.pi / 2
ln2 = mp.log(2)
r4 = float(mp.pi / 4) * 1.0001
l2 = float(ln2 / 2) * 1.0002
smax = float((mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)) * 1.0002
TANH_SMALL = 0.625


def safe(g, at0):
    return lambda t: g(t) if t != 0 else mp.mpf(at0)


consts = {
    # sin r = r + r^3 SIN(r^2), cos r = 1 - r^2/2 + r^4 COS(r^2), |r| <= pi/4
    'SIN': fit('sin', safe(lambda z: (mp.sin(mp.sqrt(z)) - mp.sqrt(z)) / mp.sqrt(z) ** 3, -mp.mpf(1) / 6),
               0, r4**2, 3, lambda z: z + 1e-30),
    'COS': fit('cos', safe(lambda z: (mp.cos(mp.sqrt(z)) - 1 + z / 2) / z**2, mp.mpf(1) / 24),
               0, r4**2, 3, lambda z: z * z + 1e-30),
    # e^r = 1 + r + r^2 EXP(r), |r| <= ln2 / 2 (relative to e^r - 1, for expm1)
    'EXP': fit('exp', safe(lambda r: (mp.exp(r) - 1 - r) / r**2, mp.mpf(1) / 2),
               -l2, l2, 5, lambda r: abs(r) + 1e-30),
    # log(1 + f) = f - s (f - LOG(s^2) s^2), s = f / (2 + f), f in [sqrt(1/2) - 1, sqrt(2) - 1]
    'LOG': fit('log', safe(lambda z: (2 * mp.atanh(mp.sqrt(z)) - 2 * mp.sqrt(z)) / mp.sqrt(z) / z,
                           mp.mpf(2) / 3), 0, smax**2, 3, lambda z: z + 1e-30),
    # log(1 + f) = 2s + 2s^3/3 + s^5 LOG_T(s^2) (pow's double-float logarithm)
    'LOG_T': fit('log tail', safe(lambda z: (2 * mp.atanh(mp.sqrt(z)) - 2 * mp.sqrt(z) - 2 * mp.sqrt(z) ** 3 / 3)
                                  / mp.sqrt(z) ** 5, mp.mpf(2) / 5), 0, smax**2, 3, lambda z: z * z + 1e-30),
    # tanh x = x + x^3 TANH(x^2), |x| < TANH_SMALL
    'TANH': fit('tanh', safe(lambda z: (mp.tanh(mp.sqrt(z)) - mp.sqrt(z)) / mp.sqrt(z) ** 3, -mp.mpf(1) / 3),
                0, TANH_SMALL**2, 5, lambda z: z + 1e-30),
    # erf x = x + x ERF_SMALL(x^2), |x| < 1
    'ERF_SMALL': fit('erf small', safe(lambda z: mp.erf(mp.sqrt(z)) / mp.sqrt(z) - 1, 2 / mp.sqrt(mp.pi) - 1),
                     0, 1.0, 6, lambda z: 1.0),
    # erfc x = exp(-x^2 + ERF_BIG(x)), 1 <= x <= 4 (error weighted by erfc x: erf = 1 - erfc)
    'ERF_BIG': fit('erf big', lambda x: x * x + mp.log(mp.erfc(x)), 1.0, 4.0, 9,
                   lambda x: float(mp.erfc(x))),
}
scalars = {
    'TANH_SMALL': TANH_SMALL,
    'TWO_OVER_PI': f32(2 / mp.pi),
    # pi/2 = PIO2_CW[0] + ... + PIO2_CW[4]: multiples of 2^-11, 2^-23, 2^-35, 2^-47, then float32
    'PIO2_CW': grid_split(pio2, [11, 23, 35, 47]),
    'PIO2_HI': f32(pio2),
    'PIO2_LO': f32(pio2 - f32(pio2)),
    'LOG2E': f32(1 / ln2),
    # double-float constants of pow: 1/ln2, ln 2, 2/3 as float32 + float32
    'INV_LN2': [f32(1 / ln2), f32(1 / ln2 - f32(1 / ln2))],
    'LN2': [f32(ln2), f32(ln2 - f32(ln2))],
    'TWO_THIRDS': [f32(mp.mpf(2) / 3), f32(mp.mpf(2) / 3 - f32(mp.mpf(2) / 3))],
    # ln 2 = LN2_HI + LN2_LO, LN2_HI a multiple of 2^-16 (k * LN2_HI exact for |k| < 2^8)
    'LN2_HI': grid_split(ln2, [16])[0],
    'LN2_LO': grid_split(ln2, [16])[1],
}
with mp.workdps(120):
    TWO_OVER_PI_HEX = hex(int(mp.floor(2 / mp.pi * mp.mpf(2) ** 256)))[2:]


def ts(v):
    if isinstance(v, list):
        return '[' + ', '.join(repr(x) for x in v) + ']'
    return repr(v)


out = os.path.join(os.path.dirname(__file__), '..', 'src', 'engine', 'compile', 'libm', 'coeffs.ts')
with open(out, 'w') as fh:
    fh.write('/**\n * @file Generated by scripts/make_libm_coeffs.py (do not edit): the float32 libm\'s polynomial\n'
             ' * coefficients (lowest degree first, float32 values) and its splits of pi/2 and ln 2.\n */\n\n')
    for k, v in consts.items():
        fh.write(f'export const {k}: readonly number[] = {ts(v)};\n')
    for k, v in scalars.items():
        if isinstance(v, list):
            fh.write(f'export const {k}: readonly number[] = {ts(v)};\n')
        else:
            fh.write(f'export const {k} = {ts(v)};\n')
    fh.write(f"/** floor(2/pi * 2^256), hexadecimal. */\nexport const TWO_OVER_PI_HEX =\n  '{TWO_OVER_PI_HEX}';\n")
