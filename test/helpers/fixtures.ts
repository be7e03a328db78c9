// Fixture numbers: JSON has no NaN or Infinity, so the generator writes them as strings.
export type Encoded = number | string;

export function decode(values: readonly Encoded[]): number[];
export function decode(values: Encoded): number;
export function decode(values: readonly Encoded[] | Encoded): number[] | number;
export function decode(values: readonly Encoded[] | Encoded): number[] | number {
  return Array.isArray(values) ? values.map((v) => Number(v)) : Number(values);
}
