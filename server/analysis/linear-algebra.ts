/**
 * The few dense linear-algebra steps of the meta-regression, on p×p matrices (p = 1 + number of moderators, so
 * tiny) stored row-major in Float64Arrays. The decomposition itself is ml-matrix's Cholesky.
 */
import { CholeskyDecomposition, Matrix } from "ml-matrix";

/** Row-major p×p matrix → ml-matrix. */
function toMatrix(a: Float64Array, p: number): Matrix {
  const m = new Matrix(p, p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) m.set(i, j, a[i * p + j]!);
  return m;
}

/**
 * The inverse and log-determinant of a symmetric positive-definite p×p matrix, through its Cholesky factor
 * A = LLᵀ (log det A = 2·Σ log Lᵢᵢ). Null when A is not positive definite (a singular design).
 */
export function inverseSpd(a: Float64Array, p: number): { inverse: Float64Array; logDet: number } | null {
  const chol = new CholeskyDecomposition(toMatrix(a, p));
  if (!chol.isPositiveDefinite()) return null;
  const lower = chol.lowerTriangularMatrix;
  let logDet = 0;
  for (let i = 0; i < p; i++) logDet += 2 * Math.log(lower.get(i, i));
  const inv = chol.solve(Matrix.eye(p, p));
  const inverse = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      // Symmetrise: the two triangles of a solved inverse differ in the last bits.
      inverse[i * p + j] = i === j ? inv.get(i, i) : (inv.get(i, j) + inv.get(j, i)) / 2;
    }
  }
  return Number.isFinite(logDet) && inverse.every(Number.isFinite) ? { inverse, logDet } : null;
}

/** tr(A·B) of two p×p row-major matrices, B symmetric: Σᵢⱼ Aᵢⱼ·Bᵢⱼ. */
export function traceOfProductSymmetric(a: Float64Array, b: Float64Array): number {
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i]! * b[i]!;
  return t;
}

/** A·B of two p×p row-major matrices. */
export function multiply(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++)
    for (let k = 0; k < p; k++) {
      const aik = a[i * p + k]!;
      for (let j = 0; j < p; j++) out[i * p + j]! += aik * b[k * p + j]!;
    }
  return out;
}

/** tr(M·M) of a p×p row-major matrix: Σᵢⱼ Mᵢⱼ·Mⱼᵢ. */
export function traceOfSquare(m: Float64Array, p: number): number {
  let t = 0;
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) t += m[i * p + j]! * m[j * p + i]!;
  return t;
}
