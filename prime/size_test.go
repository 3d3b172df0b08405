package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestByteSize(t *testing.T) {
	for _, tt := range []struct {
		text string
		want byteSize
		back string
	}{
		{"4GiB", 4 << 30, "4GiB"},
		{"512MiB", 512 << 20, "512MiB"},
		{"1.5GiB", 3 << 29, "1536MiB"},
		{"300MB", 300_000_000, "300MB"},
		{"2 gib", 2 << 30, "2GiB"},
		{"1000000", 1_000_000, "1MB"},
		{"1234567", 1_234_567, "1234567"},
		{"64KiB", 64 << 10, "64KiB"},
		{"1TB", 1e12, "1TB"},
		{"0", 0, "0"},
	} {
		t.Run(tt.text, func(t *testing.T) {
			var b byteSize
			require.NoError(t, b.UnmarshalText([]byte(tt.text)))
			assert.Equal(t, tt.want, b)
			assert.Equal(t, tt.back, b.String())
		})
	}
	for _, bad := range []string{"", "GiB", "-1", "-1MiB", "1 GB GB", "4 gigs", "NaN", "1e30GiB"} {
		var b byteSize
		assert.ErrorContains(t, b.UnmarshalText([]byte(bad)), "is not a size", "%q", bad)
	}
}
