// A keyed pseudo-random permutation of [0, size), computed on the fly in constant memory.
// ZMap walks a cyclic group for the same purpose; a small Feistel network with cycle
// walking gives the same property (every index exactly once, neighbours far apart) for
// any size without searching for primitive roots.

const ROUNDS = 4;

/** Domains up to 2^52 are walked in plain numbers: no BigInt allocation per index. */
const SMALL_BITS = 52;

function mix(x: bigint, key: bigint, mask: bigint): bigint {
  // SplitMix-style mixing, truncated to the half-width.
  let z = (x ^ key) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  z = z ^ (z >> 31n);
  return z & mask;
}

// The same construction in 32-bit integer arithmetic, for halves of at most 26 bits: a
// murmur3-style finaliser (Math.imul) instead of 64-bit SplitMix.
function mixSmall(x: number, key: number, mask: number): number {
  let z = (x ^ key) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d);
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b);
  z ^= z >>> 16;
  return (z >>> 0) & mask;
}

export class Permutation {
  readonly size: bigint;
  /** Whether the whole domain fits in plain numbers (use `atNumber`). */
  readonly small: boolean;
  private readonly halfBits: bigint;
  private readonly halfMask: bigint;
  private readonly keys: bigint[];
  private readonly sizeNumber: number;
  private readonly halfSpan: number;
  private readonly halfMaskNumber: number;
  private readonly keysNumber: number[];

  constructor(size: bigint, seed: bigint) {
    if (size < 1n) throw new Error("permutation of an empty domain");
    this.size = size;
    let bitsNeeded = 0n;
    while (1n << bitsNeeded < size) bitsNeeded++;
    this.halfBits = bitsNeeded < 2n ? 1n : (bitsNeeded + 1n) / 2n;
    this.halfMask = (1n << this.halfBits) - 1n;
    this.keys = [];
    let s = seed & 0xffffffffffffffffn;
    for (let i = 0; i < ROUNDS; i++) {
      s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
      this.keys.push(s);
    }
    this.small = bitsNeeded <= BigInt(SMALL_BITS);
    this.sizeNumber = Number(size);
    this.halfSpan = 2 ** Number(this.halfBits);
    this.halfMaskNumber = this.halfSpan - 1;
    this.keysNumber = this.keys.map((k) => Number((k ^ (k >> 32n)) & 0xffffffffn));
  }

  private encryptSmall(x: number): number {
    // Halves of at most 26 bits: split and join by arithmetic, as x may exceed 32 bits.
    let left = Math.floor(x / this.halfSpan);
    let right = x % this.halfSpan;
    for (const key of this.keysNumber) {
      const next = left ^ mixSmall(right, key, this.halfMaskNumber);
      left = right;
      right = next;
    }
    return left * this.halfSpan + right;
  }

  /** `at` for a small domain (`small`), in plain numbers. */
  atNumber(i: number): number {
    let y = this.encryptSmall(i);
    while (y >= this.sizeNumber) y = this.encryptSmall(y);
    return y;
  }

  private encrypt(x: bigint): bigint {
    let left = x >> this.halfBits;
    let right = x & this.halfMask;
    for (const key of this.keys) {
      const next = left ^ mix(right, key, this.halfMask);
      left = right;
      right = next;
    }
    return (left << this.halfBits) | right;
  }

  /** The index that position `i` maps to; a bijection on [0, size). */
  at(i: bigint): bigint {
    if (this.small) return BigInt(this.atNumber(Number(i)));
    let y = this.encrypt(i);
    while (y >= this.size) y = this.encrypt(y);
    return y;
  }
}
