//go:build race

package prime

// raceEnabled reports whether the tests run under the race detector, whose
// runtime allocates more than a plain build.
const raceEnabled = true
