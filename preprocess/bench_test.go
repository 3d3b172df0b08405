package preprocess

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"testing"
	"time"

	"github.com/failmodes/prime/internal/cputime"
)

// BenchmarkFill preprocesses an ImageNet-sized photo (500x375 pixels, as a
// decoded JPEG: YCbCr 4:2:0) with each preset, and decodes the JPEG, the
// CPU work prime does for each image besides the models, and reports the
// CPU time of each (cpu-ms/op), which a busy machine inflates less than
// the wall time.
//
//	go test -run - -bench Fill -count 5 ./preprocess
func BenchmarkFill(b *testing.B) {
	photo := readPNG(b, "photo.png")
	src := image.NewRGBA(image.Rect(0, 0, 500, 375))
	draw.Draw(src, src.Rect, photo, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decode-jpeg", func(b *testing.B) {
		cpu0 := cputime.Process()
		for b.Loop() {
			if _, err := jpeg.Decode(bytes.NewReader(buf.Bytes())); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, cpu0)
	})
	for _, name := range PresetNames() {
		tr, _ := Preset(name)
		channels, size := 3, tr.Width
		if name == "raw" {
			channels, size = 1, 28
		}
		p, err := tr.Plan(channels, size, size)
		if err != nil {
			b.Fatal(err)
		}
		dst := make([]float32, p.Len())
		b.Run(fmt.Sprintf("preset=%s", name), func(b *testing.B) {
			cpu0 := cputime.Process()
			for b.Loop() {
				if err := p.Fill(dst, img); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// reportCPU reports the CPU time per iteration since cpu0.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64((cputime.Process()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}
