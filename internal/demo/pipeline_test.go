package demo

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/failmodes/prime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	assert.Equal(t, []prime.FailureMode{
		{Label: "boat", Tags: []string{"sand"}},
		{Label: "car", Tags: []string{"blurry", "small"}},
	}, Planted())
}

// TestRunFolder: Run writes into an empty folder or over a previous demo's
// output, and refuses any other folder, leaving it as it was.
func TestRunFolder(t *testing.T) {
	dir := t.TempDir()
	_, err := Run(context.Background(), dir, &Options{Every: 50})
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(dir, Marker))
	_, err = Run(context.Background(), dir, &Options{Every: 50})
	require.NoError(t, err, "over a previous demo's output")

	for _, tc := range []struct {
		name  string
		files []string
		want  string
	}{
		{"a file of the user's", []string{"records.jsonl"}, "is not empty and not a previous demo's (no .prime-demo in it): it holds records.jsonl; give an empty or new folder"},
		{"a marker and more", []string{Marker, "records.jsonl", "thesis.tex"}, "holds a previous demo's output and more: thesis.tex; give an empty or new folder"},
		{"many", []string{"a", "b", "c", "d", "e", "f", "g"}, "it holds a, b, c, d, e and 2 more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte("mine"), 0o600))
			}
			_, err := Run(context.Background(), dir, &Options{Every: 50})
			require.ErrorContains(t, err, "demo: folder "+dir+" ")
			assert.ErrorContains(t, err, tc.want)
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Len(t, entries, len(tc.files), "nothing written")
			for _, f := range tc.files {
				data, err := os.ReadFile(filepath.Join(dir, f))
				require.NoError(t, err)
				assert.Equal(t, "mine", string(data))
			}
		})
	}
}
