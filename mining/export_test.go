package mining

import "testing"

// Ways names the ways of counting supports, for the tests of package
// mining_test: by cost, by bitsets only, by tables only.
var Ways = []string{"cost", "bitsets", "tables"}

// NewMinerCounting returns a Miner that counts supports the way Ways[i]
// names.
func NewMinerCounting(i int) *Miner { return &Miner{way: counting(i)} }

// CheckAgainstBrute compares every way of mining c with the brute-force
// definition.
func CheckAgainstBrute(t testing.TB, c *Class, p Params) { checkAgainstBrute(t, c, p) }
