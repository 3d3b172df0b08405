package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/demo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemo runs `prime demo -o DIR` once, in full, and checks that prime
// reports exactly the failure modes built into the demo classifier, that
// the ONNX tagger's tags agree with what the generator drew, and that the
// report and the files are written where the command says.
func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), &env{stdout: &stdout, stderr: &stderr}, []string{"demo", "-o", dir})
	require.Equal(t, exitOK, code, stderr.String())
	t.Logf("prime demo:\n%s", stdout.String())

	out := stdout.String()
	assert.Contains(t, out, "prime found both, and nothing else.")
	assert.Contains(t, out, "HTML report: "+filepath.Join(dir, "report.html"))
	assert.Contains(t, stderr.String(), "prime demo: tagging and classifying 999 pictures")

	// Exactly the planted modes, read back from the modes file.
	f, err := os.Open(filepath.Join(dir, "modes.jsonl"))
	require.NoError(t, err)
	modes, err := prime.ReadModes(f)
	f.Close()
	require.NoError(t, err)
	key := func(ms []prime.FailureMode) []string {
		var s []string
		for _, m := range ms {
			s = append(s, m.Label+": "+strings.Join(m.Tags, ", "))
		}
		return s
	}
	require.Equal(t, key(demo.Planted()), key(modes))
	for _, m := range modes {
		assert.Zero(t, m.Accuracy, "%s: the planted modes are never right", m.Label)
		assert.LessOrEqual(t, m.Q, prime.DefaultFDR)
		// Never right, yet the intervals claim no certainty: they have
		// width, as the exact interval of 0 of 60 is [0, 6%].
		require.NotNil(t, m.CI, m.Label)
		require.NotNil(t, m.DropCI, m.Label)
		assert.Equal(t, 0.0, m.CI[0], m.Label)
		assert.Greater(t, m.CI[1], 0.05, "%s: %v", m.Label, *m.CI)
		assert.Less(t, m.DropCI[0], 0.95, "%s: %v", m.Label, *m.DropCI)
		assert.Equal(t, 1.0, m.DropCI[1], m.Label)
		assert.True(t, m.Confident, m.Label)
	}

	// The tagger is a real tagger: from the pixels, it names what the
	// generator drew on at least 98% of the pictures.
	f, err = os.Open(filepath.Join(dir, "records.jsonl"))
	require.NoError(t, err)
	d, err := prime.ReadDataset(f, "records.jsonl")
	f.Close()
	require.NoError(t, err)
	pics := demo.Generate(rand.New(rand.NewPCG(demo.Seed, 0)))
	require.Equal(t, len(pics), d.Len())
	agree := 0
	for i, r := range d.All() {
		require.Equal(t, pics[i].ID+".png", r.ID)
		if slices.Equal(r.Tags, pics[i].Truth()) {
			agree++
		}
	}
	assert.GreaterOrEqual(t, float64(agree)/float64(d.Len()), 0.98, "tags equal to the generator's on %d of %d pictures", agree, d.Len())

	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	require.NoError(t, err)
	assert.Contains(t, string(html), "data:image/", "thumbnails are inlined")
	assert.NotRegexp(t, `(src|href)="(https?:)?//`, string(html), "nothing loaded from the network")
	assert.Contains(t, string(html), "boat: <span class=\"tag\">sand</span>")
}

func TestDemoUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"-h"}, exitOK, "usage: prime demo [-o DIR]"},
		{[]string{"-x"}, exitBad, "flag provided but not defined"},
		{[]string{"extra"}, exitBad, `unexpected argument "extra"`},
		{[]string{"-o", "/dev/null/x"}, exitBad, "prime demo:"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), &env{stdout: &stdout, stderr: &stderr}, append([]string{"demo"}, tc.args...))
			assert.Equal(t, tc.code, code)
			assert.Contains(t, stderr.String(), tc.err)
		})
	}
}

// A cancelled context stops the demo.
func TestDemoCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, &env{stdout: &stdout, stderr: &stderr}, []string{"demo", "-o", t.TempDir()})
	assert.Equal(t, exitInterrupted, code)
	assert.Contains(t, stderr.String(), "canceled")
}
