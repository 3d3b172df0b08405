package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// prime mine -format html shows the pictures of records whose image paths
// are relative to the records file, lead out of its folder (as prime run
// writes them) or are absolute.
func TestMineHTMLImagePaths(t *testing.T) {
	root := t.TempDir()
	recordsDir := filepath.Join(root, "run")
	paths := []string{
		"own/a.png",                            // inside the records' folder
		"../images/b.png",                      // beside it
		filepath.Join(root, "elsewhere/c.png"), // absolute
	}
	writeTestPNG(t, filepath.Join(recordsDir, "own/a.png"), 10, false)
	writeTestPNG(t, filepath.Join(root, "images/b.png"), 90, true)
	writeTestPNG(t, filepath.Join(root, "elsewhere/c.png"), 200, false)
	var records strings.Builder
	for i := range 20 {
		tag, pred := "sharp", "cat"
		if i%2 == 0 {
			tag, pred = "blur", "dog"
		}
		fmt.Fprintf(&records, `{"id": "%d", "label": "cat", "pred": %q, "tags": [%q], "image": %q}`+"\n",
			i, pred, tag, filepath.ToSlash(paths[i/2%3]))
	}
	require.NoError(t, os.MkdirAll(recordsDir, 0o755))
	file := filepath.Join(recordsDir, "records.jsonl")
	require.NoError(t, os.WriteFile(file, []byte(records.String()), 0o644))
	out := filepath.Join(root, "report.html")

	code, _, stderr := runPrime(t, "", "mine", "-min-size", "5", "-format", "html", "-o", out, file)
	require.Equal(t, exitOK, code, stderr)
	page, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(page), `<span class="tag">blur</span>`)
	assert.Equal(t, 10, bytes.Count(page, []byte(`<img src="data:image/`)), "a thumbnail per example")
	assert.Zero(t, bytes.Count(page, []byte(`class="missing"`)), "no placeholder")
}
