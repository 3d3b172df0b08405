package prime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/failmodes/prime/internal/imagebomb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeImage is a 3x3 gray image whose pixels all hold v.
func fakeImage(v uint8) image.Image {
	img := image.NewGray(image.Rect(0, 0, 3, 3))
	for i := range img.Pix {
		img.Pix[i] = v
	}
	return img
}

// pixel returns the value fakeImage stored.
func pixel(img image.Image) uint8 {
	return color.GrayModel.Convert(img.At(img.Bounds().Min.X, img.Bounds().Min.Y)).(color.Gray).Y
}

// fakeImages returns n images with ids "img-000"... of pixel value i.
func fakeImages(n int) []Image {
	out := make([]Image, n)
	for i := range out {
		v := uint8(i)
		out[i] = Image{
			ID:    fmt.Sprintf("img-%03d", i),
			Label: []string{"a", "b"}[i%2],
			Path:  fmt.Sprintf("dir/img-%03d.png", i),
			Open:  func() (image.Image, error) { return fakeImage(v), nil },
		}
	}
	return out
}

// wantRecord is the record the fakes give image i of fakeImages.
func wantRecord(i int) Record {
	return Record{
		ID:        fmt.Sprintf("img-%03d", i),
		Label:     []string{"a", "b"}[i%2],
		Predicted: fakePredict(uint8(i)),
		Tags:      fakeTagNames(uint8(i)),
		Image:     fmt.Sprintf("dir/img-%03d.png", i),
	}
}

func fakeTagNames(v uint8) []string {
	names := []string{"any"}
	if v%2 == 0 {
		names = append(names, "even")
	}
	if v%3 == 0 {
		names = append(names, "three")
	}
	return names
}

func fakePredict(v uint8) string {
	if v%5 == 0 {
		return "b"
	}
	return []string{"a", "b"}[v%2]
}

// fake is a Tagger and Classifier with optional delays, that counts calls
// in flight.
type fake struct {
	delay    func(v uint8) time.Duration
	inflight atomic.Int64
	maxIn    atomic.Int64
	calls    atomic.Int64
	failOn   int // pixel value whose Tag fails; -1 for none
}

func newFake() *fake { return &fake{failOn: -1} }

func (f *fake) enter(ctx context.Context, imgs ...image.Image) error {
	n := f.inflight.Add(1)
	for {
		m := f.maxIn.Load()
		if n <= m || f.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	f.calls.Add(1)
	for _, img := range imgs {
		if f.delay != nil {
			select {
			case <-time.After(f.delay(pixel(img))):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return ctx.Err()
}

func (f *fake) exit() { f.inflight.Add(-1) }

func (f *fake) Tag(ctx context.Context, img image.Image) ([]Tag, error) {
	defer f.exit()
	if err := f.enter(ctx, img); err != nil {
		return nil, err
	}
	v := pixel(img)
	if int(v) == f.failOn {
		return nil, errors.New("model on fire")
	}
	var tags []Tag
	for _, n := range slices.Backward(fakeTagNames(v)) { // unsorted on purpose
		tags = append(tags, Tag{Name: n, Score: 1}, Tag{Name: n, Score: 0.5})
	}
	return tags, nil
}

func (f *fake) Classify(ctx context.Context, img image.Image) (Prediction, error) {
	defer f.exit()
	if err := f.enter(ctx, img); err != nil {
		return Prediction{}, err
	}
	return Prediction{Label: fakePredict(pixel(img))}, nil
}

// batchFake adds the batch methods to fake, and records batch sizes.
type batchFake struct {
	*fake
	mu    sync.Mutex
	sizes []int
}

func (f *batchFake) TagBatch(ctx context.Context, imgs []image.Image) ([][]Tag, error) {
	f.mu.Lock()
	f.sizes = append(f.sizes, len(imgs))
	f.mu.Unlock()
	defer f.exit()
	if err := f.enter(ctx, imgs...); err != nil {
		return nil, err
	}
	out := make([][]Tag, len(imgs))
	for i, img := range imgs {
		for _, n := range fakeTagNames(pixel(img)) {
			out[i] = append(out[i], Tag{Name: n, Score: 1})
		}
	}
	return out, nil
}

func (f *batchFake) ClassifyBatch(ctx context.Context, imgs []image.Image) ([]Prediction, error) {
	defer f.exit()
	if err := f.enter(ctx, imgs...); err != nil {
		return nil, err
	}
	out := make([]Prediction, len(imgs))
	for i, img := range imgs {
		out[i] = Prediction{Label: fakePredict(pixel(img))}
	}
	return out, nil
}

// collect ranges over seq, returning the records, the image errors, and
// the last error.
func collect(seq iter.Seq2[Record, error]) (recs []Record, imageErrs []*ImageError, err error) {
	for rec, err1 := range seq {
		var ie *ImageError
		switch {
		case errors.As(err1, &ie):
			imageErrs = append(imageErrs, ie)
		case err1 != nil:
			err = err1
		default:
			recs = append(recs, rec)
		}
	}
	return recs, imageErrs, err
}

func TestRunOrderAndRecords(t *testing.T) {
	const n = 120
	want := make([]Record, n)
	for i := range want {
		want[i] = wantRecord(i)
	}
	for _, tc := range []struct {
		name    string
		workers int
		batch   int
		batched bool
	}{
		{"one worker", 1, 0, false},
		{"four workers", 4, 0, false},
		{"default workers", 0, 0, false},
		{"batch 5 of 3 workers", 3, 5, true},
		{"batch off", 3, 1, true},
		{"batch tagger, single classifier", 2, 4, true},
	} {
		// In a bubble (testing/synctest): the delays are the bubble's fake
		// time, so the order in which workers finish follows the seeded
		// delays, not the machine's load.
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(1, 2))
				delays := make([]time.Duration, 256)
				for i := range delays {
					delays[i] = time.Duration(rng.IntN(300)) * time.Microsecond
				}
				f := newFake()
				f.delay = func(v uint8) time.Duration { return delays[v] }
				var tg Tagger = f
				var cl Classifier = f
				var bf *batchFake
				if tc.batched {
					bf = &batchFake{fake: f}
					tg, cl = bf, bf
					if strings.Contains(tc.name, "single classifier") {
						cl = f
					}
				}
				recs, ies, err := collect(Run(context.Background(), slices.Values(fakeImages(n)), tg, cl,
					&RunOptions{Workers: tc.workers, BatchSize: tc.batch}))
				require.NoError(t, err)
				require.Empty(t, ies)
				require.Equal(t, want, recs, "records in input order, tags sorted without repeats")
				if bf != nil {
					if tc.batch == 1 {
						assert.Empty(t, bf.sizes, "BatchSize 1 turns batching off")
					} else {
						require.NotEmpty(t, bf.sizes)
						assert.LessOrEqual(t, slices.Max(bf.sizes), tc.batch)
						assert.Greater(t, slices.Max(bf.sizes), 1, "batches are used")
					}
				}
			})
		})
	}
}

func TestRunWorkerBound(t *testing.T) {
	for _, workers := range []int{1, 2, 5} {
		// In a bubble, every worker is in its 2 ms call before the fake
		// clock moves: the pool is used in full, whatever the load.
		t.Run(fmt.Sprint(workers), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.delay = func(uint8) time.Duration { return 2 * time.Millisecond }
				// The tagger and the classifier are the same fake, and a worker
				// calls one at a time, so calls in flight are images in flight.
				_, _, err := collect(Run(context.Background(), slices.Values(fakeImages(40)), f, f, &RunOptions{Workers: workers}))
				require.NoError(t, err)
				assert.LessOrEqual(t, f.maxIn.Load(), int64(workers))
				assert.Equal(t, int64(workers), f.maxIn.Load(), "the pool is used in full")
			})
		})
	}
}

// TestRunCancel runs in bubbles (testing/synctest): time is the bubble's
// fake clock, and a bubble's test ends only when every goroutine it started
// has ended, so a goroutine that leaks fails the test as a deadlock.
func TestRunCancel(t *testing.T) {
	t.Run("context cancelled midway", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.delay = func(uint8) time.Duration { return time.Millisecond }
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var got int
			var last error
			for _, err := range Run(ctx, slices.Values(fakeImages(200)), f, f, &RunOptions{Workers: 3}) {
				if err != nil {
					last = err
					continue
				}
				got++
				if got == 10 {
					cancel()
				}
			}
			assert.ErrorIs(t, last, context.Canceled)
			assert.Less(t, got, 200)
			assert.Equal(t, int64(0), f.inflight.Load(), "no call runs after the sequence returns")
		})
	})
	t.Run("context cancelled before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		recs, _, err := collect(Run(ctx, slices.Values(fakeImages(50)), newFake(), newFake(), nil))
		assert.ErrorIs(t, err, context.Canceled)
		assert.Empty(t, recs)
	})
	t.Run("loop stopped early", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.delay = func(uint8) time.Duration { return time.Millisecond }
			n := 0
			for range Run(context.Background(), slices.Values(fakeImages(200)), f, f, &RunOptions{Workers: 4}) {
				n++
				if n == 5 {
					break
				}
			}
			assert.Equal(t, int64(0), f.inflight.Load(), "no call runs after the sequence returns")
		})
	})
	t.Run("slow plug-in stops at the deadline", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.delay = func(uint8) time.Duration { return time.Hour }
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, _, err := collect(Run(ctx, slices.Values(fakeImages(20)), f, f, &RunOptions{Workers: 2}))
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, 20*time.Millisecond, time.Since(start), "the fake clock moved to the deadline only")
		})
	})
}

func TestRunBadImages(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.png")
	require.NoError(t, os.WriteFile(corrupt, []byte("\x89PNG\r\n\x1a\nnot really"), 0o644))
	images := fakeImages(30)
	images[3].Open = func() (image.Image, error) { return nil, errors.New("disk on fire") }
	images[7].Open, images[7].Path = nil, corrupt
	images[20].Open, images[20].Path = nil, filepath.Join(dir, "missing.png")

	t.Run("reported, counted and skipped", func(t *testing.T) {
		var last RunProgress
		recs, ies, err := collect(Run(context.Background(), slices.Values(images), newFake(), newFake(),
			&RunOptions{Workers: 3, Total: len(images), Progress: func(p RunProgress) { last = p }}))
		require.NoError(t, err)
		assert.Len(t, recs, 27)
		require.Len(t, ies, 3)
		assert.Equal(t, "img-003", ies[0].ID)
		assert.ErrorContains(t, ies[0], "disk on fire")
		assert.Equal(t, corrupt, ies[1].Path)
		assert.ErrorContains(t, ies[1], "prime: image "+corrupt+":")
		assert.ErrorIs(t, ies[2], os.ErrNotExist)
		assert.Equal(t, RunProgress{Done: 30, Failed: 3, Total: 30, Elapsed: last.Elapsed}, last)
	})
	t.Run("strict stops at the first", func(t *testing.T) {
		var seen []string
		var errs []error
		for rec, err := range Run(context.Background(), slices.Values(images), newFake(), newFake(),
			&RunOptions{Workers: 3, Strict: true}) {
			seen = append(seen, rec.ID)
			errs = append(errs, err)
		}
		require.Equal(t, []string{"img-000", "img-001", "img-002", "img-003"}, seen)
		var ie *ImageError
		assert.ErrorAs(t, errs[3], &ie)
	})
}

func TestRunErrors(t *testing.T) {
	f := newFake()
	f.failOn = 9
	_, _, err := collect(Run(context.Background(), slices.Values(fakeImages(20)), f, newFake(), &RunOptions{Workers: 2}))
	assert.EqualError(t, err, "prime: tagging img-009: model on fire")

	_, _, err = collect(Run(context.Background(), slices.Values(fakeImages(2)), nil, newFake(), nil))
	assert.ErrorContains(t, err, "needs a Tagger and a Classifier")
	_, _, err = collect(Run(context.Background(), slices.Values(fakeImages(2)), newFake(), newFake(), &RunOptions{Workers: -1}))
	var oe *OptionError
	assert.ErrorAs(t, err, &oe)

	noLabel := fakeImages(12)
	noLabel[7].Label = ""
	recs, _, err := collect(Run(context.Background(), slices.Values(noLabel), newFake(), newFake(), &RunOptions{Workers: 3}))
	assert.EqualError(t, err, `prime: run: image 7 (path "dir/img-007.png"): empty ID or Label`)
	assert.Len(t, recs, 7, "the records before it")

	recs, _, err = collect(Run(context.Background(), slices.Values([]Image(nil)), newFake(), newFake(), nil))
	assert.NoError(t, err)
	assert.Empty(t, recs)
}

func TestRunSkipAndProgress(t *testing.T) {
	var progress []RunProgress
	recs, _, err := collect(Run(context.Background(), slices.Values(fakeImages(10)), newFake(), newFake(), &RunOptions{
		Workers:  2,
		Skip:     func(id string) bool { return id < "img-004" },
		Total:    10,
		Progress: func(p RunProgress) { progress = append(progress, p) },
	}))
	require.NoError(t, err)
	require.Len(t, recs, 6)
	assert.Equal(t, "img-004", recs[0].ID)
	require.Len(t, progress, 6)
	for i, p := range progress {
		assert.Equal(t, i+1, p.Done)
		assert.Equal(t, 4, p.Skipped, "skipping runs ahead of inference")
		assert.Equal(t, 6, p.Total)
	}
	p := RunProgress{Done: 3, Total: 9, Elapsed: 3 * time.Second}
	assert.Equal(t, 1.0, p.Rate())
	assert.Equal(t, 6*time.Second, p.Remaining())
	assert.Zero(t, RunProgress{}.Rate())
	assert.Zero(t, RunProgress{Done: 1}.Remaining())
}

// byID is an IDTagger and an IDClassifier that answers for the images of
// fakeImages from their ids, with the answers the fake gives their pixels.
type byID struct {
	calls atomic.Int64
}

// pixelOf returns the pixel value of fakeImages' image id.
func pixelOf(id string) (uint8, error) {
	var v uint8
	if _, err := fmt.Sscanf(id, "img-%03d", &v); err != nil {
		return 0, fmt.Errorf("no image %q", id)
	}
	return v, nil
}

func (b *byID) TagID(ctx context.Context, id string) ([]Tag, error) {
	b.calls.Add(1)
	v, err := pixelOf(id)
	if err != nil {
		return nil, err
	}
	var tags []Tag
	for _, n := range fakeTagNames(v) {
		tags = append(tags, Tag{Name: n, Score: 1})
	}
	return tags, ctx.Err()
}

func (b *byID) ClassifyID(ctx context.Context, id string) (Prediction, error) {
	b.calls.Add(1)
	v, err := pixelOf(id)
	return Prediction{Label: fakePredict(v)}, errors.Join(err, ctx.Err())
}

func (b *byID) Tag(context.Context, image.Image) ([]Tag, error) {
	return nil, errors.New("byID: call TagID")
}

func (b *byID) Classify(context.Context, image.Image) (Prediction, error) {
	return Prediction{}, errors.New("byID: call ClassifyID")
}

var (
	_ IDTagger     = (*byID)(nil)
	_ IDClassifier = (*byID)(nil)
)

// openCounted returns fakeImages(n) with their Open counted in opens.
func openCounted(n int, opens *atomic.Int64) []Image {
	images := fakeImages(n)
	for i := range images {
		open := images[i].Open
		images[i].Open = func() (image.Image, error) {
			opens.Add(1)
			return open()
		}
	}
	return images
}

func TestRunByID(t *testing.T) {
	const n = 50
	want := make([]Record, n)
	for i := range want {
		want[i] = wantRecord(i)
	}
	ids := &byID{}
	pixels := &batchFake{fake: newFake()}
	tests := []struct {
		name      string
		tg        Tagger
		cl        Classifier
		wantOpens int64
	}{
		{"both by id: no image opened", ids, ids, 0},
		{"tagger by id, batch classifier", ids, pixels, n},
		{"batch tagger, classifier by id", pixels, ids, n},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids.calls.Store(0)
			pixels.calls.Store(0)
			var opens atomic.Int64
			recs, ies, err := collect(Run(context.Background(), slices.Values(openCounted(n, &opens)), tc.tg, tc.cl, &RunOptions{Workers: 3, BatchSize: 4}))
			require.NoError(t, err)
			require.Empty(t, ies)
			require.Equal(t, want, recs)
			assert.Equal(t, tc.wantOpens, opens.Load(), "images opened")
			idCalls := int64(0)
			if tc.tg == ids {
				idCalls += n
			}
			if tc.cl == ids {
				idCalls += n
			}
			assert.Equal(t, idCalls, ids.calls.Load(), "one call by id per image and plug-in")
		})
	}

	t.Run("an image that cannot be opened is no error when no plug-in needs pixels", func(t *testing.T) {
		images := fakeImages(3)
		images[1].Open = func() (image.Image, error) { return nil, errors.New("disk on fire") }
		recs, ies, err := collect(Run(context.Background(), slices.Values(images), ids, ids, nil))
		require.NoError(t, err)
		assert.Empty(t, ies)
		assert.Equal(t, []Record{wantRecord(0), wantRecord(1), wantRecord(2)}, recs)
	})

	t.Run("an unknown id ends the run", func(t *testing.T) {
		images := fakeImages(3)
		images[2].ID = "nope"
		recs, _, err := collect(Run(context.Background(), slices.Values(images), ids, ids, &RunOptions{Workers: 1}))
		assert.EqualError(t, err, `prime: tagging nope: no image "nope"`)
		assert.Equal(t, []Record{wantRecord(0), wantRecord(1)}, recs)
	})
}

// writePNG writes a w x h gray PNG of value v.
func writePNG(t testing.TB, path string, v uint8) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, png.Encode(f, fakeImage(v)))
	require.NoError(t, f.Close())
}

func TestImageFolder(t *testing.T) {
	t.Run("layout", func(t *testing.T) {
		dir := t.TempDir()
		writePNG(t, filepath.Join(dir, "cat", "2.png"), 2)
		writePNG(t, filepath.Join(dir, "cat", "1.PNG"), 1)
		writePNG(t, filepath.Join(dir, "cat", "sub", "3.png"), 3)
		writePNG(t, filepath.Join(dir, "dog", "4.png"), 4)
		writePNG(t, filepath.Join(dir, "dog", ".hidden.png"), 4)
		writePNG(t, filepath.Join(dir, ".git", "x.png"), 4)
		writePNG(t, filepath.Join(dir, "top.png"), 4)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "dog", "notes.txt"), nil, 0o644))
		images, err := ImageFolder(dir)
		require.NoError(t, err)
		var got [][3]string
		for _, im := range images {
			got = append(got, [3]string{im.ID, im.Label, im.Path})
			assert.Nil(t, im.Open)
		}
		assert.Equal(t, [][3]string{
			{"cat/1.PNG", "cat", filepath.Join(dir, "cat", "1.PNG")},
			{"cat/2.png", "cat", filepath.Join(dir, "cat", "2.png")},
			{"cat/sub/3.png", "cat", filepath.Join(dir, "cat", "sub", "3.png")},
			{"dog/4.png", "dog", filepath.Join(dir, "dog", "4.png")},
		}, got)

		recs, _, err := collect(Run(context.Background(), slices.Values(images), newFake(), newFake(), nil))
		require.NoError(t, err)
		require.Len(t, recs, 4)
		assert.Equal(t, fakeTagNames(3), recs[2].Tags, "decoded from the file")
	})
	t.Run("class by class", func(t *testing.T) {
		dir := t.TempDir()
		writePNG(t, filepath.Join(dir, "cat", "1.png"), 1)
		writePNG(t, filepath.Join(dir, "cat-2", "2.png"), 2)
		images, err := ImageFolder(dir)
		require.NoError(t, err)
		var ids []string
		for _, im := range images {
			ids = append(ids, im.ID)
		}
		assert.Equal(t, []string{"cat/1.png", "cat-2/2.png"}, ids, "not in lexical order of the IDs")
	})
	for _, tc := range []struct {
		name   string
		layout func(dir string)
		dir    func(dir string) string
		want   string
	}{
		{"missing", nil, func(d string) string { return filepath.Join(d, "nope") }, "no such file or directory"},
		{"a file", func(d string) { writePNG(t, filepath.Join(d, "f.png"), 0) },
			func(d string) string { return filepath.Join(d, "f.png") }, "not a directory"},
		{"empty", nil, nil, "no class folders: want"},
		{"images not in class folders", func(d string) { writePNG(t, filepath.Join(d, "a.png"), 0) }, nil, "no class folders"},
		{"empty class", func(d string) {
			writePNG(t, filepath.Join(d, "a", "1.png"), 0)
			require.NoError(t, os.MkdirAll(filepath.Join(d, "b"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(d, "b", "readme"), nil, 0o644))
		}, nil, `class folder "b" holds no images`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.layout != nil {
				tc.layout(dir)
			}
			if tc.dir != nil {
				dir = tc.dir(dir)
			}
			_, err := ImageFolder(dir)
			require.ErrorContains(t, err, tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "prime: image folder "+dir+": "), err.Error())
			if tc.name == "missing" {
				assert.ErrorIs(t, err, os.ErrNotExist)
			}
		})
	}
}

// TestRunResume interrupts a run that writes a records file, resumes it
// with Skip holding the ids already written, and checks that every image is
// in the file exactly once.
func TestRunResume(t *testing.T) {
	const n = 150
	images := fakeImages(n)
	path := filepath.Join(t.TempDir(), "records.jsonl")

	// pass appends the records of one run to the file, flushing each, and
	// cancels the run after stopAfter records (never when negative).
	pass := func(stopAfter int) error {
		written := map[string]bool{}
		if f, err := os.Open(path); err == nil {
			rr := NewRecordReader(f, path)
			for {
				r, err := rr.Read()
				if err == io.EOF {
					break
				}
				require.NoError(t, err, "every line is complete")
				written[r.ID] = true
			}
			f.Close()
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		require.NoError(t, err)
		defer f.Close()
		w := NewRecordWriter(f)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		fk := newFake()
		fk.delay = func(uint8) time.Duration { return 100 * time.Microsecond }
		got := 0
		for rec, err := range Run(ctx, slices.Values(images), fk, fk,
			&RunOptions{Workers: 3, Skip: func(id string) bool { return written[id] }}) {
			if err != nil {
				return err
			}
			require.NoError(t, w.Write(&rec))
			require.NoError(t, w.Flush())
			if got++; got == stopAfter {
				cancel()
			}
		}
		return nil
	}
	// The plug-ins' delays run on a bubble's fake clock.
	synctest.Test(t, func(t *testing.T) {
		require.ErrorIs(t, pass(40), context.Canceled)
		require.ErrorIs(t, pass(50), context.Canceled)
		require.NoError(t, pass(-1))
	})

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	count := map[string]int{}
	for line := range strings.Lines(string(data)) {
		var r Record
		require.NoError(t, json.Unmarshal([]byte(line), &r))
		count[r.ID]++
		i := slices.IndexFunc(images, func(im Image) bool { return im.ID == r.ID })
		want := wantRecord(i)
		assert.Equal(t, want.Tags, r.Tags)
	}
	require.Len(t, count, n)
	for id, c := range count {
		assert.Equal(t, 1, c, id)
	}
}

func BenchmarkRun(b *testing.B) {
	for _, workers := range []int{1, 2} {
		for _, batch := range []int{1, 8} {
			b.Run(fmt.Sprintf("workers=%d/batch=%d", workers, batch), func(b *testing.B) {
				f := &batchFake{fake: newFake()}
				images := fakeImages(256)
				for b.Loop() {
					for _, err := range Run(context.Background(), slices.Values(images), f, f,
						&RunOptions{Workers: workers, BatchSize: batch}) {
						if err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(b.N*len(images))/b.Elapsed().Seconds(), "images/s")
			})
		}
	}
}

// burner is a Tagger and Classifier that spends about the same CPU time on
// every image, as a model does.
type burner struct{}

func (burner) work(img image.Image) uint8 {
	v := pixel(img)
	for range 20_000 {
		v = v*31 + 7
	}
	return v
}

func (b burner) Tag(ctx context.Context, img image.Image) ([]Tag, error) {
	return []Tag{{Name: fmt.Sprint(b.work(img) % 4), Score: 1}}, ctx.Err()
}

func (b burner) Classify(ctx context.Context, img image.Image) (Prediction, error) {
	return Prediction{Label: fmt.Sprint(b.work(img) % 2)}, ctx.Err()
}

// BenchmarkRunScaling shows the worker pool's speed-up on CPU-bound
// plug-ins: compare workers=2 with workers=1.
func BenchmarkRunScaling(b *testing.B) {
	images := fakeImages(64)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				for _, err := range Run(context.Background(), slices.Values(images), burner{}, burner{}, &RunOptions{Workers: workers}) {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.N*len(images))/b.Elapsed().Seconds(), "images/s")
		})
	}
}

// TestRunImageBombs runs a folder holding every image bomb among ordinary
// images: the bombs are reported as unreadable, too large, without being
// decoded, and every other image is inferred.
func TestRunImageBombs(t *testing.T) {
	dir := t.TempDir()
	for i := range 6 {
		writePNG(t, filepath.Join(dir, "a", fmt.Sprintf("%d.png", i)), uint8(i))
	}
	for _, b := range imagebomb.All() {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "a", b.Name), b.Data, 0o644))
	}
	images, err := ImageFolder(dir)
	require.NoError(t, err)
	var recs []Record
	var ies []*ImageError
	n := allocated(func() {
		recs, ies, err = collect(Run(context.Background(), slices.Values(images), newFake(), newFake(), &RunOptions{Workers: 2}))
	})
	require.NoError(t, err)
	assert.Len(t, recs, 6)
	require.Len(t, ies, 3)
	for _, ie := range ies {
		assert.ErrorIs(t, ie, ErrImageTooLarge)
	}
	assert.Less(t, n, uint64(16<<20), "no bomb is decoded")
}

// TestRunMemoryBudget checks that the images decoded and not yet inferred
// never take more than Workers x MaxPixels x BytesPerPixel: a worker with a
// batch of 8 splits it when the budget is short.
func TestRunMemoryBudget(t *testing.T) {
	dir := t.TempDir()
	for i := range 24 {
		writePNG(t, filepath.Join(dir, "a", fmt.Sprintf("%02d.png", i)), uint8(i)) // 3x3 gray: 9 bytes, and 12 for its rows
	}
	images, err := ImageFolder(dir)
	require.NoError(t, err)
	for _, tc := range []struct {
		maxPixels int64
		workers   int
		most      int // images in a batch
	}{
		{9, 1, 3},   // 72 bytes: three images of 21
		{20, 1, 7},  // 160 bytes
		{100, 1, 8}, // the batch size
		{9, 3, 8},   // 216 bytes for three workers; one may take most
		{3, 1, 0},   // 24 bytes, 9 pixels above the limit: none decoded
		{5, 1, 0},   // 40 bytes for 9 pixels, 40 bytes for one of 21, but 9 pixels > 5
		{9, 2, 6},   // 144 bytes
		{10, 1, 3},  // 80 bytes
		{11, 1, 4},  // 88 bytes
		{1 << 20, 4, 8},
	} {
		t.Run(fmt.Sprintf("max %d pixels, %d workers", tc.maxPixels, tc.workers), func(t *testing.T) {
			f := &batchFake{fake: newFake()}
			recs, ies, err := collect(Run(context.Background(), slices.Values(images), f, f,
				&RunOptions{Workers: tc.workers, BatchSize: 8, MaxPixels: tc.maxPixels}))
			require.NoError(t, err)
			if tc.most == 0 {
				assert.Empty(t, recs)
				assert.Len(t, ies, 24)
				return
			}
			assert.Empty(t, ies)
			require.Len(t, recs, 24)
			assert.LessOrEqual(t, slices.Max(f.sizes), tc.most, "batches within the budget")
			if tc.workers == 1 {
				assert.Equal(t, tc.most, slices.Max(f.sizes), "the budget is used in full")
			}
		})
	}
}

func TestRunImageChecks(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "ok.png"), 1)
	images := []Image{
		{ID: "ok", Label: "a", Path: filepath.Join(dir, "ok.png")},
		{ID: "bad\xffid", Label: "a", Path: filepath.Join(dir, "ok.png")},
		{ID: "badlabel", Label: "c\xffat", Path: filepath.Join(dir, "ok.png")},
		{ID: "folder", Label: "a", Path: dir},
		{ID: "missing", Label: "a", Path: filepath.Join(dir, "missing.png")},
	}
	recs, ies, err := collect(Run(context.Background(), slices.Values(images), newFake(), newFake(), nil))
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.Len(t, ies, 4)
	assert.ErrorContains(t, ies[0], `id "bad\xffid"`)
	assert.ErrorContains(t, ies[0], "not valid UTF-8")
	assert.ErrorContains(t, ies[1], `label "c\xffat"`)
	assert.ErrorContains(t, ies[2], "not a regular file")
	assert.ErrorIs(t, ies[3], os.ErrNotExist)

	ie := &ImageError{Path: "dir/\xff.png", Err: errors.New("x")}
	assert.Equal(t, `prime: image "dir/\xff.png": x`, ie.Error(), "a name that is not UTF-8 is quoted")
}

func TestRunOptionRanges(t *testing.T) {
	for _, tc := range []struct {
		opts RunOptions
		want string
	}{
		{RunOptions{Workers: -1}, "Workers -1 out of range: want 0 to 1024"},
		{RunOptions{Workers: 100000}, "Workers 100000 out of range: want 0 to 1024"},
		{RunOptions{BatchSize: 1_000_000_000}, "BatchSize 1000000000 out of range: want 0 to 1024"},
		{RunOptions{BatchSize: -3}, "BatchSize -3 out of range: want 0 to 1024"},
		{RunOptions{MaxPixels: -1}, "MaxPixels -1 out of range: want 0 to 68719476736"},
		{RunOptions{MaxPixels: 1 << 40}, "MaxPixels 1099511627776 out of range: want 0 to 68719476736"},
		{RunOptions{Total: -5}, "Total -5 out of range: want at least 0"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			o := tc.opts
			_, _, err := collect(Run(context.Background(), slices.Values(fakeImages(3)), newFake(), newFake(), &o))
			var oe *OptionError
			require.ErrorAs(t, err, &oe)
			assert.EqualError(t, err, "prime: "+tc.want)
		})
	}
	// The largest values are accepted.
	_, _, err := collect(Run(context.Background(), slices.Values(fakeImages(3)), newFake(), newFake(),
		&RunOptions{Workers: MaxWorkers, BatchSize: MaxBatchSize, MaxPixels: MaxMaxPixels}))
	require.NoError(t, err)
}
