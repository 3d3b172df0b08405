package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/demo"
	"github.com/failmodes/prime/internal/imagebomb"
	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/internal/outfile"
	"github.com/failmodes/prime/internal/outfile/outfiletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets a test start the test binary as the command prime
// (PRIME_TEST_MAIN=1 runs main with the arguments), or as a process that
// holds a records file's lock until its standard input closes
// (PRIME_TEST_HOLD=FILE), so that tests can race processes on one file.
func TestMain(m *testing.M) {
	switch {
	case os.Getenv("PRIME_TEST_MAIN") == "1":
		main()
	case os.Getenv("PRIME_TEST_HOLD") != "":
		f, err := outfile.OpenAppend(os.Getenv("PRIME_TEST_HOLD"))
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("locked")
		io.Copy(io.Discard, os.Stdin)
		f.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runEnv runs the command in-process with e's files and standard output,
// and returns its exit status and what it wrote on standard error.
func runEnv(e *env, args ...string) (code int, stderr string) {
	var errb bytes.Buffer
	e.stderr = &errb
	if e.stdin == nil {
		e.stdin = strings.NewReader("")
	}
	if e.stdout == nil {
		e.stdout = io.Discard
	}
	code = run(context.Background(), e, args)
	return code, errb.String()
}

// fileState is what a test checks is unchanged: contents and mode.
type fileState struct {
	data []byte
	mode os.FileMode
}

func stateOf(t *testing.T, path string) fileState {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	return fileState{data, fi.Mode()}
}

// TestOutputNeverOverInput gives every command an output that is one of
// its inputs or outputs, under the same name or another: each is refused
// with exit status 2 before anything is written.
func TestOutputNeverOverInput(t *testing.T) {
	f := newRunFixture(t, 6)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(plantedRecords()), 0o644))
	hard := filepath.Join(dir, "hard.jsonl")
	require.NoError(t, os.Link(in, hard))
	accepted := filepath.Join(dir, "accepted.jsonl")
	require.NoError(t, os.WriteFile(accepted, []byte(`{"label":"cat","tags":["x"]}`+"\n"), 0o644))
	x := filepath.Join(dir, "x.jsonl")
	image := filepath.Join(f.images, "cat", "000.png")
	// The ID cat-2/000.png sorts before cat/000.png, though its folder
	// comes after cat's.
	image2 := filepath.Join(f.images, "cat-2", "000.png")
	writeTestPNG(t, image2, 0, false)

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"mine -o the records", []string{"mine", "-o", in, in}, "prime mine: -o " + in + " is the same file as records file " + in + ": an output never replaces an input"},
		{"mine -o a hard link of the records", []string{"mine", "-o", hard, in}, "is the same file as records file " + in},
		{"mine -o another spelling", []string{"mine", "-o", filepath.Join(dir, ".", "sub", "..", "in.jsonl"), in}, "is the same file as"},
		{"mine -o the validation records", []string{"mine", "-validate", accepted, "-o", accepted, in}, "-o " + accepted + " is the same file as -validate " + accepted},
		{"mine -o the accepted modes", []string{"mine", "-accept", accepted, "-o", accepted, in}, "-o " + accepted + " is the same file as -accept"},
		{"synth -o and -truth", []string{"synth", "-classes", "2", "-o", x, "-truth", x}, "prime synth: -o " + x + " and -truth " + x + " are the same file"},
		{"run -o the records", runArgs(f, "-o", f.records), "prime run: -records " + f.records + " and -o " + f.records + " are the same file: give each output a file of its own"},
		{"run -o the tags", runArgs(f, "-o", f.tags), "prime run: -o " + f.tags + " is the same file as -tags " + f.tags},
		{"run -records the preds", runArgs(f, "-records", f.preds), "-records " + f.preds + " is the same file as -preds " + f.preds},
		{"run -o the provenance", runArgs(f, "-o", f.records+".provenance.json"), "prime run: the provenance file " + f.records + ".provenance.json and -o " + f.records + ".provenance.json are the same file"},
		{"run -records an image", runArgs(f, "-records", image), "-records " + image + " is the image cat/000.png of -images " + f.images},
		{"run -o an image", runArgs(f, "-o", image), "-o " + image + " is the image cat/000.png"},
		{"run -records an image of a class that sorts apart", runArgs(f, "-records", image2), "-records " + image2 + " is the image cat-2/000.png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "mine -o another spelling" {
				require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
			}
			before := map[string]fileState{}
			for _, p := range []string{in, accepted, f.tags, f.preds, image, image2} {
				before[p] = stateOf(t, p)
			}
			code, stderr := runEnv(&env{}, tc.args...)
			assert.Equal(t, exitBad, code, stderr)
			assert.Contains(t, stderr, tc.want)
			for p, st := range before {
				assert.Equal(t, st, stateOf(t, p), "%s unchanged", p)
			}
			assert.NoFileExists(t, x)
			assert.NoFileExists(t, f.records)
		})
	}

	t.Run("standard output redirected onto the input", func(t *testing.T) {
		// prime mine in.jsonl >> in.jsonl
		out, err := os.OpenFile(in, os.O_WRONLY|os.O_APPEND, 0)
		require.NoError(t, err)
		defer out.Close()
		before := stateOf(t, in)
		code, stderr := runEnv(&env{stdout: out}, "mine", in)
		assert.Equal(t, exitBad, code)
		assert.Contains(t, stderr, "prime mine: standard output is the same file as records file "+in)
		assert.Equal(t, before, stateOf(t, in))
	})
}

// TestWriteFailures makes the writes of every command fail after N bytes,
// as a full disk does: each exits 2 naming the file, and leaves its
// outputs whole: an old file as it was, a new one absent, the records file
// with every record before the failure and nothing else.
func TestWriteFailures(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(plantedRecords()), 0o644))

	t.Run("prime mine -o", func(t *testing.T) {
		for _, format := range []string{"text", "json", "jsonl", "markdown", "html"} {
			for _, n := range []int64{0, 10, 100} {
				t.Run(fmt.Sprintf("%s after %d bytes", format, n), func(t *testing.T) {
					out := filepath.Join(t.TempDir(), "report")
					require.NoError(t, os.WriteFile(out, []byte("the last report\n"), 0o600))
					code, stderr := runEnv(&env{files: outfile.Writer{Wrap: outfiletest.FailAfter(n)}},
						"mine", "-format", format, "-bootstrap", "0", "-o", out, in)
					assert.Equal(t, exitBad, code)
					assert.Equal(t, "prime mine: write "+out+": injected write failure\n", stderr)
					assert.Equal(t, fileState{[]byte("the last report\n"), 0o600}, stateOf(t, out))
					assert.Len(t, outfiletest.Names(t, filepath.Dir(out)), 1, "no temporary file left")
				})
			}
		}
	})
	t.Run("prime synth -o and -truth", func(t *testing.T) {
		for _, n := range []int64{0, 5000, 100_000} {
			out := t.TempDir()
			code, stderr := runEnv(&env{files: outfile.Writer{Wrap: outfiletest.FailAfter(n)}},
				"synth", "-classes", "3", "-records", "500", "-o", filepath.Join(out, "r.jsonl"), "-truth", filepath.Join(out, "t.jsonl"))
			assert.Equal(t, exitBad, code)
			assert.Regexp(t, `^prime synth: write .*(r|t)\.jsonl: injected write failure\n$`, stderr)
			assert.Empty(t, outfiletest.Names(t, out)[:min(1, len(outfiletest.Names(t, out)))], "n=%d: nothing half written", n)
		}
	})
	t.Run("standard output", func(t *testing.T) {
		w := outfiletest.FailAfter(100)(io.Discard)
		code, stderr := runEnv(&env{stdout: w}, "mine", "-bootstrap", "0", in)
		assert.Equal(t, exitBad, code)
		assert.Equal(t, "prime mine: writing standard output: injected write failure\n", stderr)
		code, stderr = runEnv(&env{stdout: outfiletest.FailAfter(0)(io.Discard)}, "synth", "-classes", "2")
		assert.Equal(t, exitBad, code)
		assert.Contains(t, stderr, "prime synth: writing standard output: injected write failure")
	})
	t.Run("prime run -records", func(t *testing.T) {
		f := newRunFixture(t, 20)
		for _, n := range []int64{0, 1, 150} {
			t.Run(fmt.Sprintf("provenance after %d bytes", n), func(t *testing.T) {
				records := filepath.Join(t.TempDir(), "records.jsonl")
				code, stderr := runEnv(&env{files: outfile.Writer{Wrap: outfiletest.FailAfter(n)}}, runArgs(f, "-records", records, "-no-mine")...)
				assert.Equal(t, exitBad, code)
				assert.Equal(t, "prime run: write "+records+".provenance.json: injected write failure\n", stderr)
				assert.Empty(t, outfiletest.Names(t, filepath.Dir(records)), "nothing left behind")
			})
		}
		// The provenance written, the records' writes fail.
		for _, n := range []int64{0, 1, 150, 1000, 2500} {
			t.Run(fmt.Sprintf("records after %d bytes", n), func(t *testing.T) {
				records := filepath.Join(t.TempDir(), "records.jsonl")
				code, stderr := runEnv(&env{files: outfile.Writer{Wrap: recordsOnly(records, n)}}, runArgs(f, "-records", records, "-no-mine")...)
				assert.Equal(t, exitBad, code)
				assert.Contains(t, stderr, "prime run: writing "+records+": injected write failure; the ")
				var counts map[string]int
				var recs []prime.Record
				if strings.Contains(stderr, "the 0 records before it are kept") {
					assert.Empty(t, outfiletest.Names(t, filepath.Dir(records)), "a records file with no record is not left behind")
				} else {
					counts, recs = readRecordIDs(t, records)
				}
				assert.Contains(t, stderr, fmt.Sprintf("the %s before it are kept", count(len(recs), "record", "records")))
				assert.Less(t, len(recs), 40)
				for id, c := range counts {
					assert.Equal(t, 1, c, id)
				}
				// The same command, with room on the disk, resumes it.
				code, stderr = runEnv(&env{}, runArgs(f, "-records", records, "-no-mine")...)
				require.Equal(t, exitOK, code, stderr)
				counts, _ = readRecordIDs(t, records)
				assert.Len(t, counts, 40)
			})
		}
	})
	t.Run("prime demo", func(t *testing.T) {
		out := t.TempDir()
		code, stderr := runEnv(&env{files: outfile.Writer{Wrap: outfiletest.FailAfter(100)}}, "demo", "-o", out)
		assert.Equal(t, exitBad, code)
		assert.Regexp(t, `\nprime demo: write `+regexp.QuoteMeta(out)+`\S+: injected write failure\n$`, stderr)
	})
}

// runArgs is "run" and the fixture's flags, followed by more.
func runArgs(f *runFixture, more ...string) []string {
	return append([]string{"run"}, f.args(more...)...)
}

// recordsOnly returns a Wrap that fails the writes to every file after n
// bytes but those of the provenance file: it tells the records file by the
// writer it wraps, the *os.File open on it.
func recordsOnly(records string, n int64) func(io.Writer) io.Writer {
	fail := outfiletest.FailAfter(n)
	return func(w io.Writer) io.Writer {
		if f, ok := w.(*os.File); ok && f.Name() == records {
			return fail(w)
		}
		return w
	}
}

// TestRunFullDisk runs prime run with its records file on a small file
// system that runs full: exit 2, the records written kept whole, and the
// same command resumes once there is room.
func TestRunFullDisk(t *testing.T) {
	disk := outfiletest.SmallTmpfs(t, 8<<10)
	f := newRunFixture(t, 60)
	records := filepath.Join(disk, "records.jsonl")
	code, stderr := runEnv(&env{}, runArgs(f, "-records", records, "-no-mine")...)
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr, "prime run: writing "+records+": write "+records+": no space left on device; the ")
	counts, recs := readRecordIDs(t, records)
	assert.NotEmpty(t, recs)
	assert.Less(t, len(recs), 120)
	for id, c := range counts {
		assert.Equal(t, 1, c, id)
	}
	// A report that does not fit leaves the old one.
	report := filepath.Join(disk, "report.txt")
	require.NoError(t, os.Remove(records))
	require.NoError(t, os.WriteFile(report, []byte("old\n"), 0o644))
	big := filepath.Join(t.TempDir(), "big.jsonl")
	code, stderr = runEnv(&env{}, "synth", "-classes", "5", "-o", big)
	require.Equal(t, exitOK, code, stderr)
	code, stderr = runEnv(&env{}, "mine", "-format", "json", "-fdr", "1", "-min-size", "5", "-bootstrap", "0", "-o", report, big)
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr, "prime mine: write "+report+": no space left on device")
	assert.Equal(t, "old\n", string(stateOf(t, report).data))
}

// TestRunResumeKeepsLastRecord: a whole last record without its newline
// is kept on resume; a torn one is cut and said.
func TestRunResumeKeepsLastRecord(t *testing.T) {
	f := newRunFixture(t, 5)
	code, stderr := runEnv(&env{}, runArgs(f, "-no-mine")...)
	require.Equal(t, exitOK, code, stderr)
	data, err := os.ReadFile(f.records)
	require.NoError(t, err)
	lines := strings.SplitAfter(strings.TrimSuffix(string(data), "\n"), "\n")
	require.Len(t, lines, 10)
	// Drop the last three records, and the newline of the one before.
	kept := strings.Join(lines[:7], "")
	require.NoError(t, os.WriteFile(f.records, []byte(strings.TrimSuffix(kept, "\n")), 0o644))
	code, stderr = runEnv(&env{}, runArgs(f, "-no-mine")...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "7 records already there, 3 images to go")
	assert.NotContains(t, stderr, "torn")
	counts, _ := readRecordIDs(t, f.records)
	assert.Len(t, counts, 10)
	got, err := os.ReadFile(f.records)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(got), kept), "the records before are as they were")
}

// TestRunProvenance resumes a records file with other settings: refused,
// naming the setting; with the same settings, after moving the files away,
// or with -adopt for a file without provenance, accepted.
func TestRunProvenance(t *testing.T) {
	f := newRunFixture(t, 10)
	code, stderr := runEnv(&env{}, runArgs(f, "-no-mine")...)
	require.Equal(t, exitOK, code, stderr)
	prov := f.records + ".provenance.json"
	var p provenance
	require.NoError(t, json.Unmarshal(stateOf(t, prov).data, &p))
	assert.Equal(t, "precomputed tags", p.Settings["tagger"])
	assert.Contains(t, p.Settings, "tagger's precomputed tags file (-tags) (sha256)")
	assert.Equal(t, f.preds, p.Files["classifier's precomputed predictions file (-preds)"])

	// Half the records, then other tags.
	data, err := os.ReadFile(f.records)
	require.NoError(t, err)
	half := strings.Join(strings.SplitAfter(string(data), "\n")[:10], "")
	require.NoError(t, os.WriteFile(f.records, []byte(half), 0o644))
	other := filepath.Join(f.dir, "other-tags.jsonl")
	tags, err := os.ReadFile(f.tags)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(other, bytes.ReplaceAll(tags, []byte(`"blur"`), []byte(`"blurry"`)), 0o644))
	code, stderr = runEnv(&env{}, runArgs(f, "-tags", other, "-no-mine")...)
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr, "prime run: "+f.records+" holds 10 records made with other settings:\n  tagger's precomputed tags file (-tags) (sha256): was ")
	assert.Contains(t, stderr, "start over: give another -records FILE, or move "+f.records+" and "+prov+" away")
	assert.Equal(t, half, string(stateOf(t, f.records).data), "the records as they were")

	// The same settings from a moved file: accepted.
	moved := filepath.Join(f.dir, "moved-tags.jsonl")
	require.NoError(t, os.WriteFile(moved, tags, 0o644))
	code, stderr = runEnv(&env{}, runArgs(f, "-tags", moved, "-no-mine")...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "resuming")

	// No provenance file: refused, unless -adopt.
	require.NoError(t, os.Remove(prov))
	require.NoError(t, os.WriteFile(f.records, []byte(half), 0o644))
	code, stderr = runEnv(&env{}, runArgs(f, "-no-mine")...)
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr, "holds 10 records but no provenance file")
	assert.Contains(t, stderr, "-adopt")
	code, stderr = runEnv(&env{}, runArgs(f, "-no-mine", "-adopt")...)
	require.Equal(t, exitOK, code, stderr)
	assert.FileExists(t, prov)
	counts, _ := readRecordIDs(t, f.records)
	assert.Len(t, counts, 20)

	// Starting over: the two files moved away.
	require.NoError(t, os.Rename(f.records, f.records+".old"))
	require.NoError(t, os.Rename(prov, prov+".old"))
	code, stderr = runEnv(&env{}, runArgs(f, "-tags", other, "-no-mine")...)
	require.Equal(t, exitOK, code, stderr)
}

// TestRunProvenanceONNX changes the settings of ONNX models one by one:
// each resume is refused, naming the setting.
func TestRunProvenanceONNX(t *testing.T) {
	f := newRunFixture(t, 4)
	rng := rand.New(rand.NewPCG(4, 2))
	tagModel := writeTagger(t, filepath.Join(f.dir, "tagger.onnx"), rng)
	otherModel := writeTagger(t, filepath.Join(f.dir, "tagger2.onnx"), rng)
	vocab := filepath.Join(f.dir, "vocab.txt")
	require.NoError(t, os.WriteFile(vocab, []byte("red\ngreen\nblue\nstripes\nsquare\n"), 0o644))
	vocab2 := filepath.Join(f.dir, "vocab2.txt")
	require.NoError(t, os.WriteFile(vocab2, []byte("red\ngreen\nblue\nstripes\ncircle\n"), 0o644))
	base := []string{"run", "-images", f.images, "-records", f.records, "-tagger", tagModel, "-vocab", vocab,
		"-tagger-output", "probabilities", "-preds", f.preds, "-no-mine", "-workers", "1"}
	code, stderr := runEnv(&env{}, base...)
	require.Equal(t, exitOK, code, stderr)
	data, err := os.ReadFile(f.records)
	require.NoError(t, err)
	half := strings.Join(strings.SplitAfter(string(data), "\n")[:4], "")
	require.NoError(t, os.WriteFile(f.records, []byte(half), 0o644))

	for _, tc := range []struct {
		name string
		more []string
		want string
	}{
		{"threshold", []string{"-threshold", "0.4"}, "tagger thresholds (-threshold, -thresholds): was 0.5 for every tag, now 0.4 for every tag"},
		{"model", []string{"-tagger", otherModel}, "tagger model (-tagger) (sha256): was "},
		{"vocabulary", []string{"-vocab", vocab2}, "tagger vocabulary (-vocab): was 5 names, sha256 "},
		{"output", []string{"-tagger-output", "logits"}, "tagger output (-tagger-output): was probabilities, now logits"},
		{"preprocessing", []string{"-tagger-no-scale"}, "tagger preprocessing (-tagger-preset, -tagger-mean, -tagger-std, -tagger-bgr, -tagger-no-scale): was "},
		{"tagger for classifier", []string{"-tags", f.tags, "-tagger="}, "tagger: was ONNX model, now precomputed tags"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr := runEnv(&env{}, append(base, tc.more...)...)
			assert.Equal(t, exitBad, code)
			assert.Contains(t, stderr, "holds 4 records made with other settings:\n  ")
			assert.Contains(t, stderr, tc.want)
			assert.Equal(t, half, string(stateOf(t, f.records).data))
		})
	}
	code, stderr = runEnv(&env{}, base...)
	require.Equal(t, exitOK, code, "the same settings resume: %s", stderr)
}

// TestDemoFolder: prime demo -o refuses a folder that holds anything but a
// previous demo's output, and leaves it as it was.
func TestDemoFolder(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "records.jsonl")
	require.NoError(t, os.WriteFile(mine, []byte("a week of inference\n"), 0o600))
	code, stderr := runEnv(&env{}, "demo", "-o", dir)
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr, "prime demo: folder "+dir+" is not empty and not a previous demo's (no .prime-demo in it): it holds records.jsonl")
	assert.Equal(t, fileState{[]byte("a week of inference\n"), 0o600}, stateOf(t, mine))
	assert.Equal(t, []string{"records.jsonl"}, outfiletest.Names(t, dir))

	other := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(other, demo.Marker), nil, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(other, "notes.txt"), nil, 0o644))
	code, stderr = runEnv(&env{}, "demo", "-o", other)
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr, "prime demo: folder "+other+" holds a previous demo's output and more: notes.txt")
}

// TestFlagsAnywhere: flags may follow the records file; "--" ends them.
func TestFlagsAnywhere(t *testing.T) {
	path := writeFile(t, "data.jsonl", plantedRecords())
	var a, b bytes.Buffer
	codeA, errA := runEnv(&env{stdout: &a}, "mine", "-format", "jsonl", "-min-size", "5", path)
	codeB, errB := runEnv(&env{stdout: &b}, "mine", path, "-format", "jsonl", "-min-size", "5")
	require.Equal(t, exitOK, codeA, errA)
	require.Equal(t, exitOK, codeB, errB)
	assert.Equal(t, a.String(), b.String())
	assert.NotEmpty(t, a.String())

	dash := filepath.Join(filepath.Dir(path), "-odd.jsonl")
	require.NoError(t, os.WriteFile(dash, []byte(plantedRecords()), 0o644))
	code, stderr := runEnv(&env{}, "mine", "-min-size", "5", "--", dash)
	assert.Equal(t, exitOK, code, stderr)
	// Every operand is a records file to read: none is dropped.
	code, stderr = runEnv(&env{}, "mine", path, "other.jsonl")
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr, "prime mine: stat other.jsonl: no such file or directory")
}

// TestMineSplitEmptySide: a -split that leaves no record on a side exits 2.
func TestMineSplitEmptySide(t *testing.T) {
	path := writeFile(t, "data.jsonl", plantedRecords())
	for _, split := range []string{"0.999999", "0.0000001"} {
		code, stderr := runEnv(&env{}, "mine", "-split", split, path)
		assert.Equal(t, exitBad, code, stderr)
		assert.Regexp(t, `^prime mine: -split \S+ of 1000 records leaves \d+ records? to mine and \d+ records? held out: want both sides non-empty\n$`, stderr)
	}
}

// TestMineAccept gates on the modes not accepted: -fail-on-modes exits 1
// only for a mode that is not in the -accept file.
func TestMineAccept(t *testing.T) {
	path := writeFile(t, "data.jsonl", plantedRecords())
	var modes bytes.Buffer
	code, stderr := runEnv(&env{stdout: &modes}, "mine", "-format", "jsonl", "-bootstrap", "0", path)
	require.Equal(t, exitOK, code, stderr)
	require.NotEmpty(t, modes.String())
	all := writeFile(t, "accepted.jsonl", modes.String())
	none := writeFile(t, "none.jsonl", `{"label":"cat","tags":["other"]}`+"\n")
	bad := writeFile(t, "bad.jsonl", "{\"label\":\"cat\",\"tags\":[\"x\"]}\nnot json\n")
	for _, tc := range []struct {
		accept string
		code   int
		want   string
	}{
		{all, exitOK, "1 failure mode, 0 not accepted in " + all},
		{none, exitModes, "1 failure mode, 1 not accepted in " + none},
		{bad, exitBad, "prime mine: -accept " + bad + ": modes line 2: "},
	} {
		code, stderr := runEnv(&env{}, "mine", "-bootstrap", "0", "-fail-on-modes", "-accept", tc.accept, path)
		assert.Equal(t, tc.code, code, stderr)
		assert.Contains(t, stderr, tc.want)
	}
}

// TestOnePrefix: every message of a command has the command's prefix, and
// only it.
func TestOnePrefix(t *testing.T) {
	f := newRunFixture(t, 3)
	records := writeFile(t, "data.jsonl", plantedRecords())
	for _, tc := range []struct {
		args   []string
		prefix string
	}{
		{[]string{"mine", filepath.Join(t.TempDir(), "missing.jsonl")}, "prime mine: "},
		{[]string{"mine", t.TempDir()}, "prime mine: "},
		{[]string{"mine", "-min-size", "5000", "-o", filepath.Join(t.TempDir(), "r.txt"), records}, "prime mine: "},
		{[]string{"synth", "-classes", "0"}, "prime synth: "},
		{runArgs(f, "-images", filepath.Join(t.TempDir(), "none")), "prime run: "},
		{runArgs(f, "-min-size", "1000", "-fdr", "1", "-o", filepath.Join(t.TempDir(), "r.txt")), "prime run: "},
		{runArgs(f, "-validate", filepath.Join(t.TempDir(), "missing.jsonl")), "prime run: "},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, stderr := runEnv(&env{}, tc.args...)
			require.NotEmpty(t, stderr)
			for line := range strings.Lines(stderr) {
				if strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "Adding") {
					continue // a message's own further lines
				}
				assert.True(t, strings.HasPrefix(line, tc.prefix), "%q lacks the prefix %q", line, tc.prefix)
				rest := strings.TrimPrefix(line, tc.prefix)
				assert.NotRegexp(t, `(^|: )prime( \w+)?: `, rest, "a second prefix in %q", line)
				assert.NotRegexp(t, `(^|[^/\d.])1 \w+s\b`, rest, "a plural after 1 in %q", line)
			}
		})
	}
}

// TestRunRanges: every numeric flag of prime run out of range is refused
// with the range allowed, before anything is allocated for it.
func TestRunRanges(t *testing.T) {
	f := newRunFixture(t, 2)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-batch", "1000000000"}, "-batch 1000000000 out of range: want 1 to 1024"},
		{[]string{"-batch", "0"}, "-batch 0 out of range: want 1 to 1024"},
		{[]string{"-workers", "100000"}, fmt.Sprintf("-workers 100000 out of range: want 0 to %d (4 per CPU)", 4*runtime.NumCPU())},
		{[]string{"-workers", "-1"}, fmt.Sprintf("-workers -1 out of range: want 0 to %d (4 per CPU)", 4*runtime.NumCPU())},
		{[]string{"-max-pixels", "0"}, "-max-pixels 0 out of range: want 1 to 68719476736"},
		{[]string{"-max-pixels", "-5"}, "-max-pixels -5 out of range: want 1 to 68719476736"},
		{[]string{"-threshold", "NaN"}, "-threshold NaN out of range: want strictly between 0 and 1"},
		{[]string{"-threads", "100000"}, "-threads 100000 out of range: want 0 (1) to 1024"},
		{[]string{"-min-size", "0"}, "-min-size 0 out of range: want at least 1"},
		{[]string{"-bootstrap", "1000000000"}, "-bootstrap 1000000000 out of range: want 0 to 1000000"},
		{[]string{"-confidence", "NaN"}, "-confidence NaN out of range: want strictly between 0 and 1"},
		{[]string{"-fdr", "NaN"}, "-fdr NaN out of range: want above 0, at most 1"},
		{[]string{"-split", "NaN"}, "-split NaN out of range: want 0 to 1, below 1"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stderr := runEnv(&env{}, runArgs(f, tc.args...)...)
			assert.Equal(t, exitBad, code)
			assert.Equal(t, "prime run: "+tc.want+"\n", stderr)
			assert.NoFileExists(t, f.records)
		})
	}
}

// writeTagger writes a small ONNX tagger of 5 sigmoid outputs, drawn from
// rng, to path, and returns path.
func writeTagger(t *testing.T, path string, rng *rand.Rand) string {
	t.Helper()
	require.NoError(t, onnxfile.NewCNN(rng, onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Outputs: 5, Head: "Sigmoid"}).Model().WriteFile(path))
	return path
}

// writeClassifier writes a small ONNX classifier with the labels given,
// and its labels file.
func writeClassifier(t *testing.T, dir string, labels ...string) (model, labelsFile string) {
	t.Helper()
	model = filepath.Join(dir, "classifier.onnx")
	require.NoError(t, onnxfile.NewCNN(rand.New(rand.NewPCG(4, 2)),
		onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Outputs: len(labels), Gemm: true}).Model().WriteFile(model))
	labelsFile = filepath.Join(dir, "labels.txt")
	require.NoError(t, os.WriteFile(labelsFile, []byte(strings.Join(labels, "\n")+"\n"), 0o644))
	return model, labelsFile
}

// TestRunLabels: class folders that match no label of the classifier stop
// the run before inference, showing both lists; some unmatched is a
// warning naming them.
func TestRunLabels(t *testing.T) {
	f := newRunFixture(t, 2)
	dir := t.TempDir()
	model, digits := writeClassifier(t, dir, "0", "1")
	code, stderr := runEnv(&env{}, runArgs(f, "-preds=", "-classifier", model, "-labels", digits)...)
	assert.Equal(t, exitBad, code)
	assert.Equal(t, "prime run: no class folder is a label of the classifier, so every image would count as misclassified:\n"+
		"  class folders: cat, dog\n  classifier labels: 0, 1\n"+
		"name the folders after the labels, or give labels named after the folders with -labels FILE\n", stderr)
	assert.NoFileExists(t, f.records)

	_, some := writeClassifier(t, t.TempDir(), "cat", "bird")
	code, stderr = runEnv(&env{}, runArgs(f, "-preds=", "-classifier", model, "-labels", some, "-no-mine")...)
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "prime run: warning: 1 class folder has no label of the classifier (their images count as misclassified): dog\n")
}

// TestRunImageBombs runs a folder holding every image bomb, and an image
// that is not a regular file, with a classifier that needs pixels: exit 0,
// each reported as unreadable, every other image in the records.
func TestRunImageBombs(t *testing.T) {
	f := newRunFixture(t, 3)
	var tags, preds bytes.Buffer
	for _, b := range imagebomb.All() {
		id := "cat/" + b.Name
		require.NoError(t, os.WriteFile(filepath.Join(f.images, "cat", b.Name), b.Data, 0o644))
		fmt.Fprintf(&tags, `{"id":%q,"tags":["animal"]}`+"\n", id)
		fmt.Fprintf(&preds, `{"id":%q,"pred":"cat"}`+"\n", id)
	}
	appendFile(t, f.tags, tags.String())
	model, labels := writeClassifier(t, t.TempDir(), "cat", "dog")
	code, stderr := runEnv(&env{}, runArgs(f, "-preds=", "-classifier", model, "-labels", labels, "-no-mine")...)
	require.Equal(t, exitOK, code, stderr)
	for _, b := range imagebomb.All() {
		assert.Contains(t, stderr, "prime run: skipped: image "+filepath.Join(f.images, "cat", b.Name)+": image too large: ")
	}
	assert.Contains(t, stderr, "6 records written to "+f.records+"; 3 unreadable images skipped")
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = file.WriteString(s)
	require.NoError(t, err)
	require.NoError(t, file.Close())
}

// TestSetMemoryLimit: prime run sets the collector's soft limit to what the
// run may take, unless GOMEMLIMIT says otherwise.
func TestSetMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)

	t.Setenv("GOMEMLIMIT", "")
	setMemoryLimit(2, 1<<20)
	got := debug.SetMemoryLimit(-1)
	images := int64(2 * (1 << 20) * 8)
	assert.Greater(t, got, images+memorySlack/2, "the images and half the slack, beyond the memory in use")
	assert.Less(t, got, images+memorySlack/2+1<<30)

	t.Setenv("GOMEMLIMIT", "3GiB")
	debug.SetMemoryLimit(12345)
	setMemoryLimit(2, 1<<20)
	assert.Equal(t, int64(12345), debug.SetMemoryLimit(-1), "the user's limit stays")
}
