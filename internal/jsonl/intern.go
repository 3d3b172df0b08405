package jsonl

import (
	"hash/maphash"
	"math/bits"
)

// A Table interns strings: it gives each distinct string a small id, in
// the order first seen. Lookups of a byte slice do not allocate. It is an
// open-addressing hash table made for the short, often repeated strings of
// a records file: a slot holds the string's length and its first and last
// eight bytes, which for strings of up to 16 bytes decide equality without
// reading the string. A Table is not safe for concurrent use.
type Table struct {
	seed  uint64
	slots []slot // len a power of two
	mask  uint64
	names []string
}

type slot struct {
	w0, w1 uint64 // the key's words (see key)
	id     int32  // id+1; 0 when the slot is empty
	n      int32  // the string's length
}

// NewTable returns an empty Table.
func NewTable() *Table {
	return &Table{seed: NewSeed(), slots: make([]slot, 64), mask: 63}
}

// Names returns the interned strings, indexed by id. The caller must not
// modify the slice.
func (t *Table) Names() []string { return t.names }

// Len returns the number of interned strings.
func (t *Table) Len() int { return len(t.names) }

// Bytes returns the id of b, interning a copy of it if new.
func (t *Table) Bytes(b []byte) int32 {
	h, w0, w1 := key(t.seed, b)
	n := int32(len(b))
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.id == 0 {
			return t.insert(i, w0, w1, string(b))
		}
		if s.w0 == w0 && s.w1 == w1 && s.n == n && (n <= 16 || t.names[s.id-1] == string(b)) {
			return s.id - 1
		}
	}
}

// String returns the id of s, interning it if new.
func (t *Table) String(s string) int32 {
	h, w0, w1 := key(t.seed, s)
	n := int32(len(s))
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		sl := &t.slots[i]
		if sl.id == 0 {
			return t.insert(i, w0, w1, s)
		}
		if sl.w0 == w0 && sl.w1 == w1 && sl.n == n && (n <= 16 || t.names[sl.id-1] == s) {
			return sl.id - 1
		}
	}
}

func (t *Table) insert(i, w0, w1 uint64, s string) int32 {
	id := int32(len(t.names))
	t.names = append(t.names, s)
	t.slots[i] = slot{w0: w0, w1: w1, id: id + 1, n: int32(len(s))}
	if 4*len(t.names) > 3*len(t.slots) {
		t.grow()
	}
	return id
}

func (t *Table) grow() {
	slots := make([]slot, 2*len(t.slots))
	mask := uint64(len(slots) - 1)
	for _, s := range t.slots {
		if s.id == 0 {
			continue
		}
		h, _, _ := key(t.seed, t.names[s.id-1])
		i := h & mask
		for slots[i].id != 0 {
			i = (i + 1) & mask
		}
		slots[i] = s
	}
	t.slots, t.mask = slots, mask
}

// NewSeed returns a random seed for Hash, so that no input can be made to
// collide.
func NewSeed() uint64 { return maphash.String(maphash.MakeSeed(), "seed") }

// Hash returns the hash of b with seed; a string and a byte slice of the
// same bytes hash alike.
func Hash[T string | []byte](seed uint64, b T) uint64 {
	h, _, _ := key(seed, b)
	return h
}

const k0, k1 = 0xa0761d6478bd642f, 0xe7037ed1a0b428db

// key returns the hash of b with seed, and two words of b read as wyhash
// reads short inputs: for up to 16 bytes, every byte is in w0 or w1, so
// that the length, w0 and w1 together determine b; for longer b, its first
// and last eight bytes.
func key[T string | []byte](seed uint64, b T) (h, w0, w1 uint64) {
	n := len(b)
	h = seed ^ uint64(n)*k0
	switch {
	case n > 16:
		for i := 8; i < n-8; i += 8 {
			h = mix(h^le64(b, i), k1)
		}
		fallthrough
	case n > 8:
		w0, w1 = le64(b, 0), le64(b, n-8)
	case n >= 4:
		w0 = le32(b, 0) | le32(b, n-4)<<32
	case n > 0:
		w0 = uint64(b[0]) | uint64(b[n>>1])<<8 | uint64(b[n-1])<<16
	}
	return mix(mix(h^w0, k1)^w1, k0), w0, w1
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
