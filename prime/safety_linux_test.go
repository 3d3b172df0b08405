package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failmodes/prime/internal/imagebomb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// isLinux is set where the holder of a lock can be named (/proc/locks).
const isLinux = true

// mknodNull makes a null device node at path.
func mknodNull(path string) error {
	return unix.Mknod(path, unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3)))
}

// TestRunNonUTF8Name: an image whose file name is not valid UTF-8 cannot
// be a record (JSON text): it is reported, on every run, and the others
// are recorded.
func TestRunNonUTF8Name(t *testing.T) {
	f := newRunFixture(t, 2)
	odd := filepath.Join(f.images, "cat", "caf\xe9.png")
	writeTestPNG(t, odd, 7, true)
	model, labels := writeClassifier(t, t.TempDir(), "cat", "dog")
	for range 2 {
		code, stderr := runEnv(&env{}, runArgs(f, "-preds=", "-classifier", model, "-labels", labels, "-no-mine")...)
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stderr, `prime run: skipped: image "`+f.images+`/cat/caf\xe9.png": id "cat/caf\xe9.png", label "cat" or path`)
		assert.Contains(t, stderr, "not valid UTF-8")
	}
	counts, _ := readRecordIDs(t, f.records)
	assert.Len(t, counts, 4)
}

// TestRunMemoryLimit runs prime run, built as a program of its own, under a
// 2 GiB limit of virtual memory (ulimit -v) on a folder holding every image
// bomb among ordinary images, with a classifier that decodes them: it
// exits 0, each bomb reported as unreadable.
func TestRunMemoryLimit(t *testing.T) {
	bin := buildPrime(t)
	f := newRunFixture(t, 20)
	var tags bytes.Buffer
	for _, b := range imagebomb.All() {
		require.NoError(t, os.WriteFile(filepath.Join(f.images, "dog", b.Name), b.Data, 0o644))
		tags.WriteString(`{"id":"dog/` + b.Name + `","tags":["animal"]}` + "\n")
	}
	appendFile(t, f.tags, tags.String())
	model, labels := writeClassifier(t, t.TempDir(), "cat", "dog")
	args := append([]string{bin}, runArgs(f, "-preds=", "-classifier", model, "-labels", labels, "-workers", "2")...)
	cmd := exec.Command("/bin/sh", append([]string{"-c", `ulimit -v 2097152 && exec "$@"`, "sh"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	require.NoError(t, err, "prime run under ulimit -v 2097152: %s", stderr.String())
	for _, b := range imagebomb.All() {
		assert.Contains(t, stderr.String(), "prime run: skipped: image "+filepath.Join(f.images, "dog", b.Name)+": image too large: ")
	}
	assert.Contains(t, stderr.String(), "40 records written to "+f.records+"; 3 unreadable images skipped")
	assert.False(t, strings.Contains(stderr.String(), "out of memory"))
}
