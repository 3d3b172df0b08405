package main

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/failmodes/prime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// analyze evaluates a model version and mines its records.
func analyze(t *testing.T, version string) *prime.Report {
	t.Helper()
	records, err := Evaluate(version)
	require.NoError(t, err)
	report, err := prime.Analyze(context.Background(), records, nil)
	require.NoError(t, err)
	return report
}

// accepted reads the baseline of accepted failure modes.
func accepted(t *testing.T) []prime.FailureMode {
	t.Helper()
	f, err := os.Open("testdata/accepted.jsonl")
	require.NoError(t, err)
	defer f.Close()
	modes, err := prime.ReadModes(f)
	require.NoError(t, err)
	return modes
}

// The whole of a test that fails when any failure mode appears.
func TestNoFailureModes(t *testing.T) {
	records, err := Evaluate("fixed") // the model's records on the test set
	require.NoError(t, err)
	report, err := prime.Analyze(context.Background(), records, nil)
	require.NoError(t, err)
	require.NoError(t, report.Err()) // the error lists every failure mode
}

// With a baseline of accepted modes (prime.ReadModes), only a new mode
// fails the test: v1's one mode is in testdata/accepted.jsonl.
func TestNoNewFailureModes(t *testing.T) {
	report := analyze(t, "v1")
	require.NoError(t, report.Except(accepted(t)).Err())
}

// A new, unaccepted mode makes the same assertion fail, and the error
// names the mode.
func TestNewFailureModeFails(t *testing.T) {
	report := analyze(t, "v2")
	err := report.Except(accepted(t)).Err()
	require.Error(t, err)
	assert.ErrorIs(t, err, prime.ErrFailureModes)
	assert.Contains(t, err.Error(), "snowy: dawn")
	assert.NotContains(t, err.Error(), "foggy: night", "the accepted mode is not reported")
	// Without the baseline, both modes are reported.
	require.ErrorContains(t, report.Err(), "foggy: night")
}

// The harness itself runs: every version, and a bad flag.
func TestHarness(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		code      int
		out, errs string // patterns of stdout and stderr; "" for empty
	}{
		{nil, 0, `(?m)^foggy +night `, ""},
		{[]string{"-model", "v2"}, 0, `(?m)^snowy +dawn `, ""},
		{[]string{"-model", "fixed"}, 0, "no failure modes found", ""},
		{[]string{"-model", "v3"}, 2, "", `unknown model version "v3"`},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), &stdout, &stderr, tc.args)
		require.Equal(t, tc.code, code, stderr.String())
		for _, want := range []struct{ got, text string }{{stdout.String(), tc.out}, {stderr.String(), tc.errs}} {
			if want.text == "" {
				assert.Empty(t, want.got)
			} else {
				assert.Regexp(t, want.text, want.got)
			}
		}
	}
}
