//go:build race

package classifier_test

const raceEnabled = true
