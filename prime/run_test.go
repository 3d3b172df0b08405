package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/internal/onnxfile"
	"github.com/failmodes/prime/internal/onnxrun"
	"github.com/failmodes/prime/onnx"
	"github.com/failmodes/prime/tagger"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runFixture is a folder of images with precomputed tags and predictions
// in which class "cat" has one failure mode, "blur".
type runFixture struct {
	dir     string   // holds images/, tags.jsonl, preds.jsonl
	images  string   // dir/images
	ids     []string // every image id
	tags    string
	preds   string
	records string // dir/out/records.jsonl (not written)
}

// newRunFixture writes perClass small PNGs in each of the classes cat and
// dog, and the precomputed files.
func newRunFixture(t *testing.T, perClass int) *runFixture {
	t.Helper()
	f := &runFixture{dir: t.TempDir()}
	f.images = filepath.Join(f.dir, "images")
	f.tags = filepath.Join(f.dir, "tags.jsonl")
	f.preds = filepath.Join(f.dir, "preds.jsonl")
	f.records = filepath.Join(f.dir, "out", "records.jsonl")
	require.NoError(t, os.MkdirAll(filepath.Dir(f.records), 0o755))
	var tags, preds bytes.Buffer
	for _, class := range []string{"cat", "dog"} {
		for i := range perClass {
			id := fmt.Sprintf("%s/%03d.png", class, i)
			f.ids = append(f.ids, id)
			writeTestPNG(t, filepath.Join(f.images, filepath.FromSlash(id)), uint8(i*5), class == "cat")
			tl := []string{"animal"}
			pred := class
			if i%3 == 0 {
				tl = append(tl, "blur")
				if class == "cat" {
					pred = "dog"
				}
			}
			line, _ := json.Marshal(map[string]any{"id": id, "tags": tl})
			tags.Write(append(line, '\n'))
			line, _ = json.Marshal(map[string]any{"id": id, "pred": pred})
			preds.Write(append(line, '\n'))
		}
	}
	require.NoError(t, os.WriteFile(f.tags, tags.Bytes(), 0o644))
	require.NoError(t, os.WriteFile(f.preds, preds.Bytes(), 0o644))
	return f
}

// args returns the flags of a run on the fixture with precomputed plug-ins
// and lax mining settings, followed by more.
func (f *runFixture) args(more ...string) []string {
	return append([]string{"-images", f.images, "-tags", f.tags, "-preds", f.preds, "-records", f.records,
		"-min-size", "5", "-fdr", "1", "-bootstrap", "0", "-format", "jsonl"}, more...)
}

// writeTestPNG writes a 10x8 PNG of pixel value v, reddish or bluish.
func writeTestPNG(t *testing.T, path string, v uint8, red bool) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	img := image.NewRGBA(image.Rect(0, 0, 10, 8))
	for y := range 8 {
		for x := range 10 {
			c := color.RGBA{R: v, G: uint8(x * 20), B: 255 - v, A: 255}
			if red {
				c.R, c.B = c.B, c.R
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
}

// syncBuffer is a bytes.Buffer safe for concurrent writes, that calls
// onWrite with every write.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	onWrite func(p []byte)
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.onWrite != nil {
		s.onWrite(p)
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// primeRun runs "prime run" in-process, through main's run.
func primeRun(ctx context.Context, stderr *syncBuffer, args ...string) (code int, stdout string) {
	var out bytes.Buffer
	if stderr == nil {
		stderr = &syncBuffer{}
	}
	code = run(ctx, &env{stdin: strings.NewReader(""), stdout: &out, stderr: stderr}, append([]string{"run"}, args...))
	return code, out.String()
}

// assertSameRecords checks that two runtimes wrote the same records: the
// same tags and predictions, and scores that differ by at most 1e-6 (two
// runtimes may sum in another order, which moves the last bit of a
// float32).
func assertSameRecords(t *testing.T, want, got []prime.Record, msg string) {
	t.Helper()
	require.Len(t, got, len(want), msg)
	for i := range want {
		w, g := want[i], got[i]
		for _, s := range [][2][]prime.Score{{w.TagScores, g.TagScores}, {w.PredScores, g.PredScores}} {
			require.Len(t, s[1], len(s[0]), "%s: %s", msg, w.ID)
			for k := range s[0] {
				assert.Equal(t, s[0][k].Name, s[1][k].Name, "%s: %s", msg, w.ID)
				assert.InDelta(t, s[0][k].Value, s[1][k].Value, 1e-6, "%s: %s: %s", msg, w.ID, s[0][k].Name)
			}
		}
		w.TagScores, w.PredScores, g.TagScores, g.PredScores = nil, nil, nil, nil
		assert.Equal(t, w, g, msg)
	}
}

// readRecordIDs returns how many times each id is in the records file,
// and its records, checking that every line is a complete record.
func readRecordIDs(t *testing.T, path string) (map[string]int, []prime.Record) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, len(data) == 0 || data[len(data)-1] == '\n', "the file ends with a complete line")
	count := map[string]int{}
	var recs []prime.Record
	rr := prime.NewRecordReader(bytes.NewReader(data), path)
	for {
		rec, err := rr.Read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		count[rec.ID]++
		recs = append(recs, rec)
	}
	return count, recs
}

func TestRunCommand(t *testing.T) {
	f := newRunFixture(t, 20)
	stderr := &syncBuffer{}
	code, stdout := primeRun(context.Background(), stderr, f.args()...)
	require.Equal(t, exitOK, code, stderr.String())

	count, recs := readRecordIDs(t, f.records)
	require.Len(t, count, len(f.ids))
	for _, id := range f.ids {
		assert.Equal(t, 1, count[id], id)
	}
	assert.Equal(t, f.ids, func() []string {
		var ids []string
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
		return ids
	}(), "records in the folder's order")
	assert.Equal(t, prime.Record{ID: "cat/000.png", Label: "cat", Predicted: "dog", Correct: false,
		Tags: []string{"animal", "blur"}, Image: "../images/cat/000.png"}, recs[0], "image relative to the records file")

	assert.Contains(t, stdout, `"label":"cat","tags":["blur"]`, "the records are mined")
	assert.NotContains(t, stdout, `"label":"dog"`)
	assert.Contains(t, stderr.String(), "prime run: 40 records written to "+f.records)
	lines := strings.Count(stderr.String(), " images/s")
	assert.Equal(t, 10, lines, "a progress line per tenth when stderr is not a terminal:\n%s", stderr.String())
	assert.Contains(t, stderr.String(), "prime run: 40/40 images")

	t.Run("records of other images", func(t *testing.T) {
		records := filepath.Join(t.TempDir(), "records.jsonl")
		require.NoError(t, os.WriteFile(records, []byte(`{"id": "gone.png", "label": "cat", "pred": "cat", "tags": []}`+"\n"), 0o644))
		stderr := &syncBuffer{}
		code, _ := primeRun(context.Background(), stderr, f.args("-records", records, "-no-mine", "-adopt")...)
		require.Equal(t, exitOK, code, stderr.String())
		assert.Contains(t, stderr.String(), "1 record already there, 40 images to go")
		assert.Contains(t, stderr.String(), "warning: 1 record of "+records+" is of images not in "+f.images)
	})
	t.Run("run again: nothing to do", func(t *testing.T) {
		stderr := &syncBuffer{}
		code, stdout2 := primeRun(context.Background(), stderr, f.args()...)
		require.Equal(t, exitOK, code, stderr.String())
		assert.Contains(t, stderr.String(), "40 records already there, 0 images to go")
		assert.Equal(t, stdout, stdout2)
		count, _ := readRecordIDs(t, f.records)
		assert.Len(t, count, 40)
	})
}

// TestRunCommandResume interrupts prime run midway, runs the same command
// again, and checks that every image is in the records file exactly once;
// then cuts the last line in half, as a crash would, and resumes again.
func TestRunCommandResume(t *testing.T) {
	f := newRunFixture(t, 30)
	n := len(f.ids)
	for _, stopAt := range []string{"(30%)", "(70%)"} {
		ctx, cancel := context.WithCancel(context.Background())
		stderr := &syncBuffer{onWrite: func(p []byte) {
			if bytes.Contains(p, []byte(stopAt)) {
				cancel()
			}
		}}
		code, _ := primeRun(ctx, stderr, f.args("-workers", "2", "-no-mine")...)
		cancel()
		require.Equal(t, exitInterrupted, code, stderr.String())
		assert.Contains(t, stderr.String(), "interrupted: ")
		assert.Contains(t, stderr.String(), "run the same command again to resume")
		count, _ := readRecordIDs(t, f.records)
		assert.Less(t, len(count), n)
		for id, c := range count {
			assert.Equal(t, 1, c, id)
		}
	}

	stderr := &syncBuffer{}
	code, _ := primeRun(context.Background(), stderr, f.args("-no-mine")...)
	require.Equal(t, exitOK, code, stderr.String())
	assert.Contains(t, stderr.String(), "prime run: resuming ")
	count, _ := readRecordIDs(t, f.records)
	require.Len(t, count, n)
	for id, c := range count {
		assert.Equal(t, 1, c, id)
	}

	// A crash in the middle of writing the last line.
	data, err := os.ReadFile(f.records)
	require.NoError(t, err)
	last := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
	lastID := "cat/000.png"
	var r prime.Record
	require.NoError(t, json.Unmarshal(data[last:], &r))
	lastID = r.ID
	require.NoError(t, os.WriteFile(f.records, data[:last+(len(data)-last)/2], 0o644))
	stderr = &syncBuffer{}
	code, stdout := primeRun(context.Background(), stderr, f.args()...)
	require.Equal(t, exitOK, code, stderr.String())
	assert.Contains(t, stderr.String(), fmt.Sprintf("%d records already there, 1 image to go", n-1))
	assert.Contains(t, stderr.String(), "ends in a torn line (")
	count, recs := readRecordIDs(t, f.records)
	require.Len(t, count, n)
	for id, c := range count {
		assert.Equal(t, 1, c, id)
	}
	assert.Equal(t, lastID, recs[len(recs)-1].ID)
	assert.Contains(t, stdout, `"label":"cat","tags":["blur"]`)
}

func TestRunCommandBadInput(t *testing.T) {
	f := newRunFixture(t, 4)
	empty := t.TempDir()
	emptyClass := t.TempDir()
	writeTestPNG(t, filepath.Join(emptyClass, "a", "1.png"), 0, false)
	require.NoError(t, os.MkdirAll(filepath.Join(emptyClass, "b"), 0o755))
	badRecords := filepath.Join(t.TempDir(), "records.jsonl")
	require.NoError(t, os.WriteFile(badRecords, []byte(`{"id": "cat/000.png", "label": "cat", "pred": "cat", "tags": []}`+"\nnot json\n"), 0o644))
	tooFewTags := filepath.Join(t.TempDir(), "tags.jsonl")
	require.NoError(t, os.WriteFile(tooFewTags, []byte(`{"id": "cat/000.png", "tags": []}`+"\n"), 0o644))
	vocab := filepath.Join(t.TempDir(), "vocab.txt")
	require.NoError(t, os.WriteFile(vocab, []byte("a\nb\n"), 0o644))

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no flags", nil, "prime run: -images DIR is required"},
		{"no records", []string{"-images", f.images}, "-records FILE is required"},
		{"no tagger", []string{"-images", f.images, "-records", f.records, "-preds", f.preds}, "want one of -tagger MODEL (with -vocab FILE) and -tags FILE"},
		{"two taggers", f.args("-tagger", "m.onnx", "-vocab", vocab), "want one of -tagger MODEL"},
		{"tagger without vocabulary", []string{"-images", f.images, "-records", f.records, "-tagger", "m.onnx", "-preds", f.preds}, "-tagger needs -vocab FILE"},
		{"no classifier", []string{"-images", f.images, "-records", f.records, "-tags", f.tags}, "want one of -classifier MODEL and -preds FILE"},
		{"argument", append(f.args(), "extra"), `unexpected argument "extra"`},
		{"mining flag out of range", f.args("-min-drop", "1.5"), "prime run: "},
		{"batch out of range", f.args("-batch", "0"), "-batch 0 out of range"},
		{"threshold out of range", f.args("-threshold", "1"), "-threshold 1 out of range"},
		{"images folder missing", f.args("-images", filepath.Join(empty, "nope")), "no such file or directory"},
		{"images folder empty", f.args("-images", empty), "no class folders"},
		{"class without images", f.args("-images", emptyClass), `class folder "b" holds no images`},
		{"tagger model missing", append(f.args("-vocab", vocab, "-tagger", filepath.Join(empty, "missing.onnx")), "-tags="), "missing.onnx"},
		{"classifier model missing", append(f.args("-classifier", filepath.Join(empty, "missing.onnx")), "-preds="), "missing.onnx"},
		{"tags file missing", f.args("-tags", filepath.Join(empty, "tags.jsonl")), "no such file or directory"},
		{"image without tags", f.args("-tags", tooFewTags, "-no-mine"), "prime run: -tags " + tooFewTags + " has no tags for 7 images of the 8 images to infer: cat/001.png, cat/002.png"},
		{"records file corrupt", f.args("-records", badRecords), badRecords + ":2: "},
		{"bad mean", f.args("-tags=", "-tagger", "m.onnx", "-vocab", vocab, "-tagger-mean", "1,x"), `-tagger-mean: "x" is not a number`},
		{"NaN mean", f.args("-tags=", "-tagger", "m.onnx", "-vocab", vocab, "-tagger-mean", "NaN"), "-tagger-mean NaN out of range: want finite numbers in [-1e+06, 1e+06]"},
		{"infinite std", f.args("-tags=", "-tagger", "m.onnx", "-vocab", vocab, "-tagger-std", "1,Inf,1"), "-tagger-std +Inf out of range: want numbers in [1e-06, 1e+06]"},
		{"zero std", f.args("-preds=", "-classifier", "m.onnx", "-classifier-std", "0"), "-classifier-std 0 out of range"},
		{"two means", f.args("-preds=", "-classifier", "m.onnx", "-classifier-mean", "0.5,0.5"), `-classifier-mean "0.5,0.5": 2 values: want 1 (every channel) or 3 (R,G,B)`},
		{"unknown runtime", f.args("-runtime", "tensorflow"), `-runtime "tensorflow": want onnx-go or onnxruntime`},
		{"unknown device", f.args("-device", "tpu"), `-device "tpu": want cpu or cuda`},
		{"cuda on onnx-go", f.args("-device", "cuda"), "-device cuda needs -runtime onnxruntime"},
		{"library on onnx-go", f.args("-onnxruntime-lib", "lib.so"), "-onnxruntime-lib needs -runtime onnxruntime"},
		{"threads out of range", f.args("-threads", "-3"), "-threads -3 out of range: want 0 (1) to 1024"},
		{"unknown preset", f.args("-preds=", "-classifier", "m.onnx", "-classifier-preset", "vgg"), `-classifier-preset "vgg": want one of imagenet, ram, clip, raw`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stderr := &syncBuffer{}
			code, _ := primeRun(context.Background(), stderr, tc.args...)
			assert.Equal(t, exitBad, code)
			assert.Contains(t, stderr.String(), tc.want)
			assert.NotContains(t, stderr.String(), "panic")
		})
	}
}

func TestRunCommandUnreadableImage(t *testing.T) {
	f := newRunFixture(t, 10)
	corrupt := filepath.Join(f.images, "cat", "005.png")
	require.NoError(t, os.WriteFile(corrupt, []byte("\x89PNG\r\n\x1a\ntruncated"), 0o644))

	// Precomputed tags and predictions answer by id: no image is opened.
	stderr := &syncBuffer{}
	code, _ := primeRun(context.Background(), stderr, f.args("-strict", "-no-mine")...)
	require.Equal(t, exitOK, code, stderr.String())
	count, _ := readRecordIDs(t, f.records)
	assert.Len(t, count, 20)
	require.NoError(t, os.Remove(f.records))

	// An ONNX classifier needs the pixels.
	model := filepath.Join(f.dir, "classifier.onnx")
	require.NoError(t, onnxfile.NewCNN(rand.New(rand.NewPCG(4, 2)), onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Outputs: 2, Gemm: true}).Model().WriteFile(model))
	labels := filepath.Join(f.dir, "labels.txt")
	require.NoError(t, os.WriteFile(labels, []byte("cat\ndog\n"), 0o644))
	onnx := []string{"-preds=", "-classifier", model, "-labels", labels}

	stderr = &syncBuffer{}
	code, _ = primeRun(context.Background(), stderr, f.args(append(onnx, "-strict")...)...)
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr.String(), "prime run: image "+corrupt+": ")
	assert.Contains(t, stderr.String(), "(-strict)")

	stderr = &syncBuffer{}
	code, _ = primeRun(context.Background(), stderr, f.args(onnx...)...)
	require.Equal(t, exitOK, code, stderr.String())
	assert.Contains(t, stderr.String(), "prime run: skipped: image "+corrupt+": ")
	assert.Contains(t, stderr.String(), "1 unreadable image skipped")
	count, _ = readRecordIDs(t, f.records)
	assert.Len(t, count, 19)
	assert.Zero(t, count["cat/005.png"])
}

// TestRunCommandONNX runs prime run on ONNX models written by
// internal/onnxfile and checks the records against the models run
// directly.
func TestRunCommandONNX(t *testing.T) {
	f := newRunFixture(t, 6)
	rng := rand.New(rand.NewPCG(4, 2))
	tagModel := writeTagger(t, filepath.Join(f.dir, "tagger.onnx"), rng)
	clsModel := filepath.Join(f.dir, "classifier.onnx")
	require.NoError(t, onnxfile.NewCNN(rng, onnxfile.CNNConfig{Channels: 3, Size: 8, Filters1: 4, Filters2: 6, Outputs: 2, Gemm: true}).Model().WriteFile(clsModel))
	vocab := filepath.Join(f.dir, "vocab.txt")
	require.NoError(t, os.WriteFile(vocab, []byte("red\ngreen\nblue\nstripes\nsquare\n"), 0o644))
	labels := filepath.Join(f.dir, "labels.txt")
	require.NoError(t, os.WriteFile(labels, []byte("cat\ndog\n"), 0o644))

	args := []string{"-images", f.images, "-records", f.records, "-tagger", tagModel, "-vocab", vocab,
		"-tagger-output", "probabilities", "-threshold", "0.4", "-classifier", clsModel, "-labels", labels,
		"-workers", "2", "-batch", "3", "-no-mine"}
	stderr := &syncBuffer{}
	code, _ := primeRun(context.Background(), stderr, args...)
	require.Equal(t, exitOK, code, stderr.String())
	_, recs := readRecordIDs(t, f.records)
	require.Len(t, recs, len(f.ids))

	tg, err := tagger.NewONNX(tagModel, &tagger.ONNXOptions{VocabularyFile: vocab, Output: onnx.Probabilities, Threshold: 0.4, Engine: onnx.Engine{Workers: 1}})
	require.NoError(t, err)
	defer tg.Close()
	cl, err := classifier.NewONNX(clsModel, &classifier.ONNXOptions{LabelsFile: labels, Engine: onnx.Engine{Workers: 1}})
	require.NoError(t, err)
	defer cl.Close()
	tagged := 0
	for _, rec := range recs {
		data, err := os.ReadFile(filepath.Join(f.images, filepath.FromSlash(rec.ID)))
		require.NoError(t, err)
		img, err := png.Decode(bytes.NewReader(data))
		require.NoError(t, err)
		tags, err := tg.Tag(context.Background(), img)
		require.NoError(t, err)
		var names []string
		for _, tag := range tags {
			names = append(names, tag.Name)
		}
		slices.Sort(names)
		assert.Equal(t, names, rec.Tags, rec.ID)
		tagged += len(names)
		pred, err := cl.Classify(context.Background(), img)
		require.NoError(t, err)
		assert.Equal(t, pred.Label, rec.Predicted, rec.ID)
	}
	assert.Positive(t, tagged, "the models tag something")

	t.Run("ram preset", func(t *testing.T) {
		// A tagger of RAM's 384x384 input: the preset resizes the images
		// to it, and prime run warns that RAM's thresholds are per tag.
		ram := filepath.Join(f.dir, "ram.onnx")
		require.NoError(t, onnxfile.NewCNN(rng, onnxfile.CNNConfig{Channels: 3, Size: 384, Filters1: 1, Filters2: 1, Outputs: 5, Head: "Sigmoid"}).Model().WriteFile(ram))
		records := filepath.Join(filepath.Dir(f.records), "ram.jsonl")
		stderr := &syncBuffer{}
		code, _ := primeRun(context.Background(), stderr, slices.Concat(args, []string{"-tagger", ram, "-tagger-preset", "ram", "-records", records})...)
		require.Equal(t, exitOK, code, stderr.String())
		assert.Contains(t, stderr.String(), "warning: -tagger-preset ram without -thresholds: every tag uses -threshold 0.4")
		_, recs := readRecordIDs(t, records)
		assert.Len(t, recs, len(f.ids))

		stderr = &syncBuffer{}
		code, _ = primeRun(context.Background(), stderr, slices.Concat(args, []string{"-tagger-preset", "ram", "-records", records})...)
		assert.Equal(t, exitBad, code)
		assert.Contains(t, stderr.String(), "input size 384x384 unlike the model's 8x8")
	})

	t.Run("onnxruntime", func(t *testing.T) {
		records := filepath.Join(filepath.Dir(f.records), "ort.jsonl")
		stderr := &syncBuffer{}
		code, _ := primeRun(context.Background(), stderr, slices.Concat(args, []string{"-runtime", "onnxruntime", "-records", records})...)
		if !onnxrun.ORTCompiled {
			assert.Equal(t, exitBad, code)
			assert.Contains(t, stderr.String(), "built without ONNX Runtime: build it with cgo and the tag onnxruntime")
			return
		}
		require.Equal(t, exitOK, code, stderr.String())
		_, ortRecs := readRecordIDs(t, records)
		assertSameRecords(t, recs, ortRecs, "the same records on both runtimes")

		// On the GPU: the same records, or, with a library that has no
		// CUDA provider or a machine without a GPU, an error that says so.
		gpu := filepath.Join(filepath.Dir(f.records), "gpu.jsonl")
		stderr = &syncBuffer{}
		code, _ = primeRun(context.Background(), stderr, slices.Concat(args, []string{"-runtime", "onnxruntime", "-device", "cuda", "-records", gpu})...)
		if code != exitOK {
			assert.Equal(t, exitBad, code)
			assert.Contains(t, stderr.String(), `Device "cuda": the ONNX Runtime library`)
			t.Logf("no GPU run here: %s", stderr.String())
			return
		}
		_, gpuRecs := readRecordIDs(t, gpu)
		assertSameRecords(t, recs, gpuRecs, "the same records on the GPU")
	})

	t.Run("thresholds file", func(t *testing.T) {
		// Thresholds of 0 and 1: every tag but the last two, whatever the
		// scores.
		args := slices.Clone(args)
		i := slices.Index(args, "-threshold")
		args = slices.Delete(args, i, i+2)
		thresholds := filepath.Join(f.dir, "thresholds.txt")
		require.NoError(t, os.WriteFile(thresholds, []byte("0\n0\n0\n1\n1\n"), 0o644))
		records := filepath.Join(f.dir, "thresholded.jsonl")
		stderr := &syncBuffer{}
		code, _ := primeRun(context.Background(), stderr, slices.Concat(args, []string{"-thresholds", thresholds, "-threshold=0.5", "-records", records})...)
		assert.Equal(t, exitBad, code)
		assert.Contains(t, stderr.String(), "not both")

		stderr = &syncBuffer{}
		code, _ = primeRun(context.Background(), stderr, slices.Concat(args, []string{"-thresholds", thresholds, "-records", records})...)
		require.Equal(t, exitOK, code, stderr.String())
		_, recs := readRecordIDs(t, records)
		require.Len(t, recs, len(f.ids))
		for _, r := range recs {
			assert.Equal(t, []string{"blue", "green", "red"}, r.Tags)
		}

		require.NoError(t, os.WriteFile(thresholds, []byte("0\n0\n0\n1\n"), 0o644))
		stderr = &syncBuffer{}
		code, _ = primeRun(context.Background(), stderr, slices.Concat(args, []string{"-thresholds", thresholds, "-records", records})...)
		assert.Equal(t, exitBad, code)
		assert.Contains(t, stderr.String(), "4")
		assert.Contains(t, stderr.String(), "5")
	})
	t.Run("vocabulary of the wrong length", func(t *testing.T) {
		short := filepath.Join(f.dir, "short.txt")
		require.NoError(t, os.WriteFile(short, []byte("red\ngreen\n"), 0o644))
		stderr := &syncBuffer{}
		code, _ := primeRun(context.Background(), stderr, slices.Concat(args, []string{"-vocab", short})...)
		assert.Equal(t, exitBad, code)
		assert.Contains(t, stderr.String(), "2")
		assert.Contains(t, stderr.String(), "5")
	})
}

func TestRunProgressLines(t *testing.T) {
	// In a bubble (testing/synctest) the clock moves only when the test
	// sleeps: the status line's 200 ms throttle is tested exactly.
	t.Run("terminal", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var b bytes.Buffer
			p := &runProgress{w: &b, terminal: true, total: 5}
			p.update(prime.RunProgress{Done: 1, Total: 5, Elapsed: 2 * time.Second})
			time.Sleep(199 * time.Millisecond)
			p.update(prime.RunProgress{Done: 2, Total: 5, Elapsed: 2 * time.Second}) // too soon: not shown
			time.Sleep(time.Millisecond)
			p.update(prime.RunProgress{Done: 3, Total: 5, Elapsed: 6 * time.Second})  // 200 ms on: shown
			p.update(prime.RunProgress{Done: 5, Total: 5, Elapsed: 10 * time.Second}) // the last: shown
			p.clear()
			assert.Equal(t, "\r\033[Kprime run: 1/5 images, 0.5 images/s, 8s left"+
				"\r\033[Kprime run: 3/5 images, 0.5 images/s, 4s left"+
				"\r\033[Kprime run: 5/5 images, 0.5 images/s\n", b.String())
		})
	})
	t.Run("not a terminal", func(t *testing.T) {
		var b bytes.Buffer
		p := &runProgress{w: &b, total: 20}
		for i := 1; i <= 20; i++ {
			p.update(prime.RunProgress{Done: i, Total: 20, Elapsed: time.Duration(i) * time.Second})
		}
		p.clear()
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		require.Len(t, lines, 10)
		assert.Equal(t, "prime run: 2/20 images, 1.0 images/s, 18s left (10%)", lines[0])
		assert.Equal(t, "prime run: 20/20 images, 1.0 images/s (100%)", lines[9])
	})
}

func TestRunCommandHelp(t *testing.T) {
	stderr := &syncBuffer{}
	code, _ := primeRun(context.Background(), stderr, "-h")
	assert.Equal(t, exitOK, code)
	for _, flag := range []string{"-images", "-records", "-tagger", "-tags", "-vocab", "-thresholds", "-classifier", "-preds",
		"-labels", "-strict", "-batch", "-workers", "-min-size", "-format", "-tagger-mean", "-classifier-no-scale",
		"-tagger-preset", "-classifier-preset", "-runtime", "-device", "-onnxruntime-lib", "-threads"} {
		assert.Regexp(t, `\n  `+flag+`[ \n]`, stderr.String())
	}
	assert.Contains(t, stderr.String(), "resumes it")
	assert.Contains(t, stderr.String(), "models trained on raw\n0..255 values (the ONNX model zoo's MNIST model) need -*-no-scale or\npreset raw")

	code, _ = primeRun(context.Background(), &syncBuffer{}, "-no-such-flag")
	assert.Equal(t, exitBad, code)
}
