package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// byteSize is a flag's number of bytes, written with a binary or decimal
// unit ("4GiB", "512MiB", "1.5GiB", "300MB") or as a plain number of
// bytes.
type byteSize int64

var sizeUnits = []struct {
	name string
	size float64
}{
	{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3}, {"B", 1},
}

// String writes b with the largest unit that divides it, or in bytes.
func (b byteSize) String() string {
	best := sizeUnits[len(sizeUnits)-1]
	for _, u := range sizeUnits {
		if b != 0 && int64(b)%int64(u.size) == 0 && u.size > best.size {
			best = u
		}
	}
	if best.size == 1 {
		return strconv.FormatInt(int64(b), 10)
	}
	return strconv.FormatInt(int64(b)/int64(best.size), 10) + best.name
}

// MarshalText implements encoding.TextMarshaler, for flag.TextVar.
func (b byteSize) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler, for flag.TextVar.
func (b *byteSize) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	scale := 1.0
	for _, u := range sizeUnits {
		if len(s) > len(u.name) && strings.EqualFold(s[len(s)-len(u.name):], u.name) {
			s, scale = strings.TrimSpace(s[:len(s)-len(u.name)]), u.size
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v >= 0) || v*scale >= math.MaxInt64 {
		return fmt.Errorf("%q is not a size such as 4GiB, 512MiB or 1000000 (bytes)", text)
	}
	*b = byteSize(v * scale)
	return nil
}
