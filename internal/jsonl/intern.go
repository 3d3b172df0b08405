package jsonl

import (
	"hash/maphash"
	"math/bits"
)

// A Table interns strings: it gives each distinct string a small id, in
// the order first seen. Lookups of a byte slice do not allocate. It is an
// open-addressing hash table, cheaper than a map for the short, often
// repeated strings of a records file. A Table is not safe for concurrent
// use.
type Table struct {
	seed  uint64
	slots []slot // len a power of two; id+1, 0 when empty
	mask  uint64
	names []string
}

type slot struct {
	hash uint32 // high bits of the hash, to skip most string compares
	id   int32  // id+1; 0 when the slot is empty
	s    string
}

// NewTable returns an empty Table.
func NewTable() *Table {
	t := &Table{seed: NewSeed()}
	t.slots = make([]slot, 64)
	t.mask = 63
	return t
}

// Names returns the interned strings, indexed by id. The caller must not
// modify the slice.
func (t *Table) Names() []string { return t.names }

// Len returns the number of interned strings.
func (t *Table) Len() int { return len(t.names) }

// Bytes returns the id of b, interning a copy of it if new.
func (t *Table) Bytes(b []byte) int32 {
	h := hash(t.seed, b)
	hi := uint32(h >> 32)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s.id == 0 {
			return t.insert(i, hi, string(b))
		}
		if s.hash == hi && s.s == string(b) {
			return s.id - 1
		}
	}
}

// String returns the id of s, interning it if new.
func (t *Table) String(s string) int32 {
	h := hash(t.seed, s)
	hi := uint32(h >> 32)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		sl := t.slots[i]
		if sl.id == 0 {
			return t.insert(i, hi, s)
		}
		if sl.hash == hi && sl.s == s {
			return sl.id - 1
		}
	}
}

func (t *Table) insert(i uint64, hi uint32, s string) int32 {
	id := int32(len(t.names))
	t.names = append(t.names, s)
	t.slots[i] = slot{hash: hi, id: id + 1, s: s}
	if 2*len(t.names) > len(t.slots) {
		t.grow()
	}
	return id
}

func (t *Table) grow() {
	slots := make([]slot, 2*len(t.slots))
	mask := uint64(len(slots) - 1)
	for id, s := range t.names {
		h := hash(t.seed, s)
		i := h & mask
		for slots[i].id != 0 {
			i = (i + 1) & mask
		}
		slots[i] = slot{hash: uint32(h >> 32), id: int32(id) + 1, s: s}
	}
	t.slots, t.mask = slots, mask
}

// NewSeed returns a random seed for Hash, so that no input can be made to
// collide.
func NewSeed() uint64 { return maphash.String(maphash.MakeSeed(), "seed") }

// Hash returns the hash of b with seed; a string and a byte slice of the
// same bytes hash alike.
func Hash[T string | []byte](seed uint64, b T) uint64 { return hash(seed, b) }

// hash hashes b with seed: wyhash's way of reading short inputs (every
// byte, in at most two loads) and its multiply-fold mixing.
func hash[T string | []byte](seed uint64, b T) uint64 {
	const k0, k1 = 0xa0761d6478bd642f, 0xe7037ed1a0b428db
	n := len(b)
	h := seed ^ uint64(n)*k0
	switch {
	case n > 8:
		i := 0
		for ; n-i > 8; i += 8 {
			h = mix(h^le64(b, i), k1)
		}
		h = mix(h^le64(b, n-8), k0)
	case n >= 4:
		h = mix(h^(le32(b, 0)|le32(b, n-4)<<32), k1)
	case n > 0:
		h = mix(h^(uint64(b[0])|uint64(b[n>>1])<<8|uint64(b[n-1])<<16), k1)
	}
	return mix(h, k0)
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func le64[T string | []byte](b T, i int) uint64 {
	b = b[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func le32[T string | []byte](b T, i int) uint64 {
	b = b[i : i+4]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24
}
