//go:build unix || windows

package cputime

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

var sink uint64

// The processor time grows with work done.
func TestProcess(t *testing.T) {
	before := Process()
	x := uint64(1)
	for Process() == before {
		for range 1 << 20 {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	sink = x
	assert.Greater(t, Process(), before)
}
