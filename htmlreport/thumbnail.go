package htmlreport

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image"
	_ "image/gif" // decode GIF thumbnails
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/failmodes/prime"
	xdraw "golang.org/x/image/draw"
)

// ThumbnailSize is the largest side, in pixels, of the thumbnails that
// Write embeds.
const ThumbnailSize = 96

const (
	maxThumbBytes  = 64 << 20  // an image file larger than this is not read
	maxThumbPixels = 100 << 20 // nor one whose pixels are more than this
	pixelatedBelow = 48        // thumbnails smaller than this are drawn pixelated
)

// A thumbnail is one image's thumbnail or the reason there is none.
type thumbnail struct {
	uri     template.URL
	problem string
	small   bool
}

// thumbnails reads, scales and encodes every distinct example image, on
// GOMAXPROCS workers. It returns nil when images is nil.
func thumbnails(r *prime.Report, images fs.FS) map[string]thumbnail {
	if images == nil {
		return nil
	}
	var names []string
	seen := make(map[string]bool)
	for i := range r.Modes {
		n := 0
		for _, ex := range r.Modes[i].Examples {
			if ex.Image == "" || n == prime.MaxExamples {
				continue
			}
			n++
			if !seen[ex.Image] {
				seen[ex.Image] = true
				names = append(names, ex.Image)
			}
		}
	}
	out := make([]thumbnail, len(names))
	var wg sync.WaitGroup
	var next atomic.Int64 // the next name to read
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(names); i = int(next.Add(1) - 1) {
				out[i] = newThumbnail(images, names[i])
			}
		})
	}
	wg.Wait()
	res := make(map[string]thumbnail, len(names))
	for i, n := range names {
		res[n] = out[i]
	}
	return res
}

// open opens the image at name: an absolute path in the operating system's
// file system, a relative one in images.
func open(images fs.FS, name string) (io.ReadCloser, string) {
	if filepath.IsAbs(name) {
		f, err := os.Open(name)
		if err != nil {
			return nil, "cannot open the image"
		}
		return f, ""
	}
	clean := path.Clean(name)
	if !fs.ValidPath(clean) {
		return nil, "not a path inside the images folder"
	}
	f, err := images.Open(clean)
	if err != nil {
		return nil, "cannot open the image"
	}
	return f, ""
}

// newThumbnail reads the image at name and returns it scaled to at most
// ThumbnailSize pixels a side as a data: URI.
func newThumbnail(images fs.FS, name string) thumbnail {
	f, problem := open(images, name)
	if f == nil {
		return thumbnail{problem: problem}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxThumbBytes+1))
	f.Close()
	switch {
	case err != nil:
		return thumbnail{problem: "cannot read the image"}
	case len(data) > maxThumbBytes:
		return thumbnail{problem: "image file too large"}
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return thumbnail{problem: "not an image of a known format"}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxThumbPixels {
		return thumbnail{problem: "image too large"}
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return thumbnail{problem: "cannot decode the image"}
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if s := max(w, h); s > ThumbnailSize {
		w = max(1, (w*ThumbnailSize+s/2)/s)
		h = max(1, (h*ThumbnailSize+s/2)/s)
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	if w == b.Dx() && h == b.Dy() {
		xdraw.Draw(dst, dst.Bounds(), src, b.Min, xdraw.Src)
	} else {
		// BiLinear averages over the whole footprint when shrinking, like
		// CatmullRom, at half its cost.
		xdraw.BiLinear.Scale(dst, dst.Bounds(), src, b, xdraw.Src, nil)
	}
	// Photographs as JPEG; small or translucent images (digits, icons)
	// as PNG, which keeps their pixels sharp.
	var enc bytes.Buffer
	mime := "image/jpeg"
	if dst.Opaque() && max(w, h) >= pixelatedBelow {
		err = jpeg.Encode(&enc, dst, &jpeg.Options{Quality: 80})
	} else {
		mime = "image/png"
		err = png.Encode(&enc, dst)
	}
	if err != nil {
		return thumbnail{problem: "cannot encode the thumbnail"}
	}
	return thumbnail{
		uri:   template.URL("data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(enc.Bytes())),
		small: max(w, h) < pixelatedBelow,
	}
}
