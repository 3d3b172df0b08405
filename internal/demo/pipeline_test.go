package demo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failmodes/prime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// modeKeys returns "label: tag, tag" for each mode.
func modeKeys(modes []prime.FailureMode) []string {
	var out []string
	for _, m := range modes {
		out = append(out, m.Label+": "+strings.Join(m.Tags, ", "))
	}
	return out
}

// TestRunSmall runs the pipeline on every 10th picture and checks what it
// writes. The whole demo, and its planted modes, are checked by the test
// of the command (prime/demo_test.go), which runs it once.
func TestRunSmall(t *testing.T) {
	dir := t.TempDir()
	var stages []string
	res, err := Run(context.Background(), dir, &Options{Every: 10, Progress: func(s string) { stages = append(stages, s) }})
	require.NoError(t, err)
	require.Len(t, res.Pics, 100)
	require.Len(t, res.Data, 100)
	assert.Len(t, stages, 4)
	for i, r := range res.Data {
		assert.Equal(t, res.Pics[i].ID+".png", r.ID)
		assert.Equal(t, res.Pics[i].Label, r.Label)
		assert.Equal(t, "images/"+r.ID, r.Image, "image paths are relative to the folder")
		assert.FileExists(t, filepath.Join(dir, r.Image))
	}
	for _, name := range []string{res.Records, res.Modes, res.HTML, res.Files.Tagger, res.Files.Vocabulary, res.Files.Classifier, res.Files.Labels} {
		assert.FileExists(t, name)
	}
	f, err := os.Open(res.Records)
	require.NoError(t, err)
	defer f.Close()
	d, err := prime.ReadDataset(f, res.Records)
	require.NoError(t, err)
	assert.Equal(t, 100, d.Len())
	assert.Equal(t, Classes(), d.Labels())
}

// TestRunCancelled: a cancelled context stops the run with its error.
func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, t.TempDir(), &Options{Every: 50})
	require.ErrorIs(t, err, context.Canceled)
}

func TestPlanted(t *testing.T) {
	assert.Equal(t, []string{"boat: sand", "car: blurry, small"}, modeKeys(Planted()))
}
