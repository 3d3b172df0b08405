//go:build unix

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/failmodes/prime/internal/outfile/outfiletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOutputModes: a new output gets 0666 less the umask, an existing one
// keeps its mode, whatever command writes it. The umask is the process's:
// the tests of this package do not run in parallel.
func TestOutputModes(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	in := writeFile(t, "in.jsonl", plantedRecords())
	dir := t.TempDir()

	report := filepath.Join(dir, "report.txt")
	code, stderr := runEnv(&env{}, "mine", "-bootstrap", "0", "-o", report, in)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, fs.FileMode(0o640), stateOf(t, report).mode.Perm(), "new: 0666 less the umask")

	require.NoError(t, os.Chmod(report, 0o600))
	code, stderr = runEnv(&env{}, "mine", "-bootstrap", "0", "-format", "json", "-o", report, in)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, fs.FileMode(0o600), stateOf(t, report).mode.Perm(), "existing: its mode kept")

	truth := filepath.Join(dir, "truth.jsonl")
	require.NoError(t, os.WriteFile(truth, nil, 0o604))
	require.NoError(t, os.Chmod(truth, 0o604))
	code, stderr = runEnv(&env{}, "synth", "-classes", "2", "-o", filepath.Join(dir, "s.jsonl"), "-truth", truth)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, fs.FileMode(0o640), stateOf(t, filepath.Join(dir, "s.jsonl")).mode.Perm())
	assert.Equal(t, fs.FileMode(0o604), stateOf(t, truth).mode.Perm())

	f := newRunFixture(t, 3)
	code, stderr = runEnv(&env{}, runArgs(f, "-no-mine")...)
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, fs.FileMode(0o640), stateOf(t, f.records).mode.Perm())
	assert.Equal(t, fs.FileMode(0o640), stateOf(t, f.records+".provenance.json").mode.Perm())
}

// TestSpecialOutputs writes reports into a named pipe, through a symbolic
// link and, as root, into a device: none is replaced by a regular file.
func TestSpecialOutputs(t *testing.T) {
	in := writeFile(t, "in.jsonl", plantedRecords())
	dir := t.TempDir()

	t.Run("named pipe", func(t *testing.T) {
		fifo := filepath.Join(dir, "fifo")
		require.NoError(t, syscall.Mkfifo(fifo, 0o600))
		got := outfiletest.ReadPipe(fifo)
		code, stderr := runEnv(&env{}, "mine", "-bootstrap", "0", "-format", "jsonl", "-o", fifo, in)
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, <-got, `"label":"cat","tags":["blur","dark"]`)
		fi, err := os.Lstat(fifo)
		require.NoError(t, err)
		assert.Equal(t, fs.ModeNamedPipe, fi.Mode().Type())

		f := newRunFixture(t, 2)
		code, stderr = runEnv(&env{}, runArgs(f, "-records", fifo)...)
		assert.Equal(t, exitBad, code)
		assert.Contains(t, stderr, "prime run: open "+fifo+": not a regular file")
	})
	t.Run("symbolic link", func(t *testing.T) {
		target := filepath.Join(dir, "target.txt")
		require.NoError(t, os.WriteFile(target, []byte("old"), 0o600))
		link := filepath.Join(dir, "link.txt")
		require.NoError(t, os.Symlink("target.txt", link))
		code, stderr := runEnv(&env{}, "mine", "-bootstrap", "0", "-o", link, in)
		require.Equal(t, exitOK, code, stderr)
		fi, err := os.Lstat(link)
		require.NoError(t, err)
		assert.Equal(t, fs.ModeSymlink, fi.Mode().Type(), "still a link")
		st := stateOf(t, target)
		assert.Contains(t, string(st.data), "failure mode")
		assert.Equal(t, fs.FileMode(0o600), st.mode.Perm())
	})
	t.Run("device", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("making a device node needs root: run the tests as root to cover -o /dev/null as root")
		}
		null := filepath.Join(dir, "null")
		if err := mknodNull(null); err != nil {
			t.Skipf("mknod: %v", err)
		}
		code, stderr := runEnv(&env{}, "mine", "-bootstrap", "0", "-o", null, in)
		require.Equal(t, exitOK, code, stderr)
		fi, err := os.Lstat(null)
		require.NoError(t, err)
		assert.Equal(t, fs.ModeDevice|fs.ModeCharDevice, fi.Mode().Type(), "still the device")
	})
}

// primeProcess returns a command that runs prime, as a copy of the test
// binary (see TestMain), with args.
func primeProcess(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "PRIME_TEST_MAIN=1")
	return cmd
}

// TestRunLocked: a records file another process holds is refused, naming
// the process; once it lets go, the same command runs.
func TestRunLocked(t *testing.T) {
	f := newRunFixture(t, 4)
	exe, err := os.Executable()
	require.NoError(t, err)
	holder := exec.Command(exe)
	holder.Env = append(os.Environ(), "PRIME_TEST_HOLD="+f.records)
	stdin, err := holder.StdinPipe()
	require.NoError(t, err)
	stdout, err := holder.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, holder.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "locked\n", line)

	code, stderr := runEnv(&env{}, runArgs(f, "-no-mine")...)
	assert.Equal(t, exitBad, code)
	want := "prime run: " + f.records + " is locked by "
	if isLinux {
		want += fmt.Sprintf("process %d (%s)", holder.Process.Pid, exe)
	}
	assert.Contains(t, stderr, want)
	assert.Contains(t, stderr, ": another prime run is writing it; wait for it to end, or stop it")

	require.NoError(t, stdin.Close())
	require.NoError(t, holder.Wait())
	code, stderr = runEnv(&env{}, runArgs(f, "-no-mine")...)
	require.Equal(t, exitOK, code, stderr)
	counts, _ := readRecordIDs(t, f.records)
	assert.Len(t, counts, 8)
}

// TestRunRace starts two prime run processes on one records file at once:
// one writes it, the other is refused or, when the first is done by then,
// finds nothing to do; the file holds every image once, every line whole.
func TestRunRace(t *testing.T) {
	for round := range 3 {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			f := newRunFixture(t, 150)
			var cmds []*exec.Cmd
			var outs []*bytes.Buffer
			for range 2 {
				cmd := primeProcess(t, runArgs(f, "-no-mine")...)
				var b bytes.Buffer
				cmd.Stderr = &b
				cmds, outs = append(cmds, cmd), append(outs, &b)
			}
			for _, c := range cmds {
				require.NoError(t, c.Start())
			}
			ok := 0
			for i, c := range cmds {
				err := c.Wait()
				switch c.ProcessState.ExitCode() {
				case exitOK:
					ok++
				case exitBad:
					assert.Contains(t, outs[i].String(), " is locked by ", "the loser says why")
				default:
					t.Errorf("exit %v: %s", err, outs[i])
				}
			}
			assert.GreaterOrEqual(t, ok, 1)
			counts, _ := readRecordIDs(t, f.records)
			assert.Len(t, counts, 300)
			for id, c := range counts {
				assert.Equal(t, 1, c, id)
			}
			t.Logf("%d of 2 runs wrote; their messages:\n%s%s", ok, outs[0], outs[1])
			if ok == 2 {
				joined := outs[0].String() + outs[1].String()
				assert.Contains(t, joined, "300 records already there, 0 images to go", "the second ran after the first")
			}
		})
	}
}

// TestRunNotRegularImage: a named pipe among the images is reported as
// unreadable, not opened (which would wait for a writer forever).
func TestRunNotRegularImage(t *testing.T) {
	f := newRunFixture(t, 2)
	fifo := filepath.Join(f.images, "cat", "pipe.png")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	appendFile(t, f.tags, `{"id":"cat/pipe.png","tags":[]}`+"\n")
	model, labels := writeClassifier(t, t.TempDir(), "cat", "dog")
	code, stderr := runEnv(&env{}, runArgs(f, "-preds=", "-classifier", model, "-labels", labels, "-no-mine")...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "prime run: skipped: image "+fifo+": not a regular file (p---------)")
	assert.True(t, strings.HasSuffix(stderr, "4 records written to "+f.records+"; 1 unreadable image skipped\n"), stderr)
}
