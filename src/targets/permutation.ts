// A keyed pseudo-random permutation of [0, size), computed on the fly in constant memory.
// ZMap walks a cyclic group for the same purpose; a small Feistel network with cycle
// walking gives the same property (every index exactly once, neighbours far apart) for
// any size without searching for primitive roots.

const ROUNDS = 4;

function mix(x: bigint, key: bigint, mask: bigint): bigint {
  // SplitMix-style mixing, truncated to the half-width.
  let z = (x ^ key) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  z = z ^ (z >> 31n);
  return z & mask;
}

export class Permutation {
  readonly size: bigint;
  private readonly halfBits: bigint;
  private readonly halfMask: bigint;
  private readonly keys: bigint[];

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
    let y = this.encrypt(i);
    while (y >= this.size) y = this.encrypt(y);
    return y;
  }
}
