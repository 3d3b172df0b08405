package onnxrun

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// lineSeeds are names and thresholds files, valid and not.
var lineSeeds = []string{
	"alarm clock\r\nzebra\n",
	" a b \r\nc\r\n\n",
	"a\n\nb\n",
	"a\na\n",
	"",
	"\n\n",
	"0\n1\n0.65",
	"0.5\n-0.1\n",
	"0.5\nNaN\n",
	"1e-45\n+Inf\n0x1p-2\n1_0\n",
	"\xff\xfe\n\u00a0\n\x00\n",
	"a\rb\rc",
}

// FuzzReadNames: a names file (vocabulary, labels) gives names, trimmed,
// not empty, each once, or an error that names the file.
func FuzzReadNames(f *testing.F) {
	for _, s := range lineSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		names, err := ReadNames(strings.NewReader(src), "test", "label", "labels.txt")
		if err != nil {
			require.ErrorContains(t, err, "test: labels.txt")
			return
		}
		require.NotEmpty(t, names)
		seen := make(map[string]bool)
		for _, n := range names {
			require.NotEmpty(t, n)
			require.Equal(t, strings.TrimSpace(n), n)
			require.NotContains(t, n, "\n")
			require.False(t, seen[n], "%q twice", n)
			seen[n] = true
		}
	})
}

// FuzzReadThresholds: a thresholds file gives numbers in [0, 1], or an
// error that names the file.
func FuzzReadThresholds(f *testing.F) {
	for _, s := range lineSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		ts, err := ReadThresholds(strings.NewReader(src), "test", "thresholds.txt")
		if err != nil {
			require.ErrorContains(t, err, "test: thresholds.txt")
			return
		}
		require.NotEmpty(t, ts)
		for _, v := range ts {
			require.True(t, v >= 0 && v <= 1, "threshold %v", v)
		}
	})
}
