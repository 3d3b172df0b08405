package htmlreport

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/synth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sampleReport reads testdata/report.json, a small Report written by
// Report.WriteJSON: three classes, one without failure modes, three modes,
// one of them the paper's fox, validated on held-out records.
func sampleReport(t testing.TB) *prime.Report {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "report.json"))
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // the fixture keeps up with the Report
	var r prime.Report
	require.NoError(t, dec.Decode(&r))
	return &r
}

// syntheticReport is the report of an ImageNet-scale run, the same on
// every call.
func syntheticReport(classes, modes int) *prime.Report {
	return synth.Report(classes, modes, rand.New(rand.NewPCG(1, 2)))
}

// testPNG encodes a w×h image of one colour with a diagonal line.
func testPNG(t testing.TB, w, h int, c color.Color) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
		img.Set(y*w/h, y, color.Black)
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

func testJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, img, nil))
	return b.Bytes()
}

// imageReport is a small Report whose examples have pictures in the
// returned file system, and want, per mode id, the thumbnails expected:
// pictures and placeholders.
func imageReport(t testing.TB) (r *prime.Report, images fstest.MapFS, wantImgs, wantMissing map[string]int) {
	images = fstest.MapFS{
		"fox/red.png":    {Data: testPNG(t, 64, 64, color.NRGBA{200, 60, 20, 255})},
		"fox/big.png":    {Data: testPNG(t, 400, 300, color.NRGBA{40, 90, 200, 255})},
		"fox/tall.png":   {Data: testPNG(t, 30, 500, color.NRGBA{40, 200, 90, 255})},
		"fox/alpha.png":  {Data: testPNG(t, 50, 50, color.NRGBA{40, 200, 90, 120})},
		"fox/photo.jpg":  {Data: testJPEG(t, 320, 240)},
		"fox/broken.png": {Data: []byte("\x89PNG\r\n\x1a\nnot really")},
		"digit/7.png":    {Data: testPNG(t, 28, 28, color.Gray{30})},
	}
	r = sampleReport(t)
	ex := func(id, img string, correct bool) prime.Example {
		return prime.Example{ID: id, Image: img, Predicted: map[bool]string{true: "fox", false: "dog"}[correct], Correct: correct}
	}
	// Mode 1: more than MaxExamples listed, every kind of image.
	for i := range prime.MaxExamples + 2 {
		img := []string{"fox/red.png", "fox/big.png", "./fox/tall.png", "fox/alpha.png", "fox/photo.jpg"}[i%5]
		r.Modes[0].Examples = append(r.Modes[0].Examples, ex(fmt.Sprintf("f%d", i), img, i%3 == 0))
	}
	// Mode 2: missing, corrupt, outside the folder, and no image at all.
	r.Modes[1].Examples = []prime.Example{
		ex("g1", "fox/red.png", false), ex("g2", "fox/missing.png", false), ex("g3", "fox/broken.png", false),
		ex("g4", "../secret.png", false), ex("g5", "/etc/passwd", true), ex("g6", "", true),
		{ID: "g7", Image: "digit/7.png"},
	}
	// Mode 3: an image at an absolute path, outside images, and a
	// missing one.
	abs := filepath.Join(t.TempDir(), "abs.png")
	require.NoError(t, os.WriteFile(abs, testPNG(t, 40, 40, color.NRGBA{90, 90, 200, 255}), 0o644))
	r.Modes[2].Examples = []prime.Example{ex("h1", abs, false), ex("h2", filepath.Join(filepath.Dir(abs), "gone.png"), true)}
	return r, images, map[string]int{"m1": prime.MaxExamples, "m2": 2, "m3": 1}, map[string]int{"m1": 0, "m2": 4, "m3": 1}
}

// article returns the HTML of the mode card with the given id.
func article(t testing.TB, page, id string) string {
	t.Helper()
	start := strings.Index(page, `<article class="mode" id="`+id+`"`)
	require.GreaterOrEqual(t, start, 0, "mode %s present", id)
	end := strings.Index(page[start:], "</article>")
	require.Greater(t, end, 0)
	return page[start : start+end]
}

var dataURI = regexp.MustCompile(`<img src="data:(image/(?:png|jpeg));base64,([A-Za-z0-9+/=&#;]+)"`)

func TestWriteHTMLThumbnails(t *testing.T) {
	r, images, wantImgs, wantMissing := imageReport(t)
	var b strings.Builder
	require.NoError(t, Write(&b, r, images))
	page := b.String()
	for id, want := range wantImgs {
		card := article(t, page, id)
		imgs := dataURI.FindAllStringSubmatch(card, -1)
		assert.Len(t, imgs, want, "pictures of %s", id)
		assert.Equal(t, wantMissing[id], strings.Count(card, `class="missing"`), "placeholders of %s", id)
		assert.Equal(t, want, strings.Count(card, "<img "), "no other img in %s", id)
		for _, m := range imgs {
			data, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[2]))
			require.NoError(t, err)
			cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
			require.NoError(t, err)
			assert.Equal(t, "image/"+format, m[1])
			assert.LessOrEqual(t, max(cfg.Width, cfg.Height), ThumbnailSize)
			assert.Less(t, len(data), 12<<10, "a thumbnail stays small")
		}
	}
	assert.Empty(t, externalRefs(page), "nothing fetched from the network")
	assert.NotEmpty(t, externalRefs(`<img src="https://example.com/x.png">`), "the check finds a fetch")
	m1 := article(t, page, "m1")
	assert.Contains(t, m1, `class="th wrong"`, "misclassified examples are marked")
	assert.Contains(t, m1, "→ dog", "the wrong prediction is named")
	m2 := article(t, page, "m2")
	for _, problem := range []string{"cannot open the image", "not an image of a known format", "not a path inside the images folder"} {
		assert.Contains(t, m2, problem)
	}
	assert.Contains(t, m2, `class="px"`, "a 28×28 digit is drawn pixelated")

	t.Run("sizes", func(t *testing.T) {
		for name, want := range map[string][2]int{
			"fox/big.png": {96, 72}, "fox/tall.png": {6, 96}, "fox/red.png": {64, 64}, "digit/7.png": {28, 28},
		} {
			th := newThumbnail(images, name)
			require.Empty(t, th.problem, name)
			data, err := base64.StdEncoding.DecodeString(string(th.uri)[strings.Index(string(th.uri), ",")+1:])
			require.NoError(t, err)
			cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
			require.NoError(t, err)
			assert.Equal(t, want, [2]int{cfg.Width, cfg.Height}, name)
		}
		assert.True(t, strings.HasPrefix(string(newThumbnail(images, "fox/alpha.png").uri), "data:image/png;"),
			"translucent images stay PNG")
	})

	t.Run("no images", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, Write(&b, r, nil))
		assert.NotContains(t, b.String(), "<img")
		assert.NotContains(t, b.String(), `class="missing"`)
	})

	t.Run("deterministic", func(t *testing.T) {
		var again strings.Builder
		require.NoError(t, Write(&again, r, images))
		assert.Equal(t, page, again.String())
	})
}

func TestWriteHTMLEscaping(t *testing.T) {
	const (
		label = `<script>alert("label")</script>`
		tag1  = `"><img src=x onerror=alert(1)>`
		tag2  = `</style><script>alert(2)</script>`
		tag3  = `a&b'c`
	)
	r := sampleReport(t)
	r.Classes = append(r.Classes, prime.ClassSummary{Label: `<b>quiet</b>`, N: 40, Correct: 30, Accuracy: 0.75})
	r.Modes[2].Label = label
	r.Modes[2].Tags = []string{tag1, tag2, tag3}
	r.Modes[2].Examples = []prime.Example{{ID: `<i>id</i>`, Image: `x/"onload=alert(3).png`, Predicted: `<u>dog</u>`}}
	images := fstest.MapFS{`x/"onload=alert(3).png`: {Data: testPNG(t, 10, 10, color.White)}}
	var b strings.Builder
	require.NoError(t, Write(&b, r, images))
	page := b.String()

	assert.Equal(t, 1, strings.Count(page, "<script"), "only the page's own script")
	assert.Equal(t, 1, strings.Count(page, "</style>"), "only the page's own style")
	for _, bad := range []string{`<img src=x`, "<b>quiet", "<i>id", "<u>dog", `"onload=`, `alert("label")`} {
		assert.NotContains(t, page, bad)
	}
	assert.Contains(t, page, "&lt;script&gt;alert(&#34;label&#34;)&lt;/script&gt;")
	assert.Contains(t, page, "&lt;b&gt;quiet&lt;/b&gt;")
	assert.Contains(t, page, "a&amp;b&#39;c")
	// The chart's labels are escaped too.
	chart := chartOf(t, page)
	assert.Contains(t, chart, "&lt;script&gt;")
	assert.NotContains(t, chart, "<script")
	assert.Equal(t, 1, strings.Count(page, "<img "), "the one thumbnail")
}

// externalRefs returns the first few references in page to anything a
// browser would fetch: every src and href must be a data: URI or a
// fragment, and the styles must import nothing.
func externalRefs(page string) []string {
	var bad []string
	for _, attr := range []string{` src="`, ` href="`, ` xlink:href="`} {
		for rest := page; ; {
			i := strings.Index(rest, attr)
			if i < 0 {
				break
			}
			rest = rest[i+len(attr):]
			if !strings.HasPrefix(rest, "data:") && !strings.HasPrefix(rest, "#") {
				bad = append(bad, attr+rest[:min(len(rest), 40)])
			}
		}
	}
	for _, css := range []string{"url(", "@import"} {
		if strings.Contains(page, css) {
			bad = append(bad, css)
		}
	}
	return bad
}

// TestWriteHTMLLarge checks the report of an ImageNet-scale run, 1000
// classes and a few thousand modes without images: at most 20 MB, every
// mode present, nothing fetched from the network, and it opens in
// Chromium without errors. How long it takes to open is measured by
// BenchmarkHTMLInChromium.
func TestWriteHTMLLarge(t *testing.T) {
	r := syntheticReport(1000, 3000)
	var b bytes.Buffer
	require.NoError(t, Write(&b, r, nil))
	page := b.String()
	t.Logf("HTML report of 1000 classes and %d modes: %.2f MB", len(r.Modes), float64(b.Len())/1e6)
	assert.LessOrEqual(t, b.Len(), 20<<20)
	assert.Equal(t, len(r.Modes), strings.Count(page, `<article class="mode"`))
	withModes := 0
	for _, c := range r.Classes {
		if c.Modes > 0 {
			withModes++
		}
	}
	assert.Equal(t, withModes, strings.Count(page, `<section class="cls"`))
	assert.Equal(t, len(r.Classes)-withModes, strings.Count(page, `<tr><td>`), "quiet classes in the folded table")
	assert.Contains(t, page, `<details id="quiet">`)
	assert.Contains(t, page, fmt.Sprintf("The %d failure modes with the largest drops, of %d", ChartModes, len(r.Modes)))
	assert.Equal(t, ChartModes, strings.Count(chartOf(t, page), "<circle "), "one dot per charted mode")
	assert.Empty(t, externalRefs(page), "nothing fetched from the network")

	t.Run("chromium", func(t *testing.T) {
		needChromium(t)
		file := filepath.Join(outDir(t), "imagenet.html")
		require.NoError(t, os.WriteFile(file, b.Bytes(), 0o644))
		run := chromium(t, "--single-process", "--dump-dom", "file://"+file)
		assert.Empty(t, run.console)
		ready, errs, loadMS := pageStatus(t, run.stdout)
		require.True(t, ready)
		assert.Zero(t, errs)
		assert.Equal(t, len(r.Modes), strings.Count(run.stdout, `<article class="mode"`))
		t.Logf("%d modes: the page's load event came after %d ms", len(r.Modes), loadMS)
	})
}

// chartOf returns the chart's SVG in page.
func chartOf(t testing.TB, page string) string {
	t.Helper()
	start, end := strings.Index(page, "<svg"), strings.Index(page, "</svg>")
	require.True(t, start >= 0 && end > start, "a chart in the page")
	return page[start:end]
}

func TestWriteHTMLNoModes(t *testing.T) {
	r := sampleReport(t)
	r.Modes = nil
	for i := range r.Classes {
		r.Classes[i].Modes = 0
	}
	var b strings.Builder
	require.NoError(t, Write(&b, r, nil))
	assert.Contains(t, b.String(), "No failure modes found.")
	assert.NotContains(t, b.String(), "<svg")
	assert.Contains(t, b.String(), "3 classes without failure modes")
}

func BenchmarkWriteHTML(b *testing.B) {
	for _, size := range []struct{ classes, modes int }{{10, 30}, {1000, 3000}} {
		r := syntheticReport(size.classes, size.modes)
		b.Run(fmt.Sprintf("classes=%d/modes=%d", size.classes, size.modes), func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := Write(&buf, r, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len())/1e6, "MB")
		})
	}
	b.Run("thumbnails=240", func(b *testing.B) {
		r := syntheticReport(10, 20) // 240 distinct images
		images := fstest.MapFS{}
		photo := testJPEG(b, 500, 375)
		for _, m := range r.Modes {
			for _, e := range m.Examples {
				images[e.Image] = &fstest.MapFile{Data: photo}
			}
		}
		b.ReportMetric(float64(len(images)), "images")
		for b.Loop() {
			if err := Write(&bytes.Buffer{}, r, images); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// chromiumPath is where Debian's chromium package installs the browser.
const chromiumPath = "/usr/bin/chromium"

func needChromium(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("skipped: headless Chromium is absent (%s not found; install Debian's chromium package)", chromiumPath)
	}
}

// A chromiumRun is what one run of headless Chromium gave.
type chromiumRun struct {
	stdout  string        // the dumped DOM with --dump-dom
	console []string      // console messages logged: script errors, blocked fetches
	wall    time.Duration // how long it ran
	cpu     time.Duration // user and system time of it and the processes it waited for
}

// chromium runs headless Chromium on args, offline and with a fresh
// profile.
func chromium(t testing.TB, args ...string) chromiumRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	cmd := exec.CommandContext(ctx, chromiumPath, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	run := chromiumRun{stdout: out.String(), wall: time.Since(start)}
	require.NoError(t, err, "chromium: %s", errb.String())
	run.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	for _, line := range strings.Split(errb.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			run.console = append(run.console, line)
		}
	}
	return run
}

// pageStatus reads what the page's script wrote into its status element.
func pageStatus(t testing.TB, dom string) (ready bool, errors int, loadMS int) {
	t.Helper()
	el := regexp.MustCompile(`<div id="prime-status"[^>]*>`).FindString(dom)
	require.NotEmpty(t, el, "status element in the DOM")
	attr := func(name string) string {
		m := regexp.MustCompile(name + `="([^"]*)"`).FindStringSubmatch(el)
		if m == nil {
			return ""
		}
		return m[1]
	}
	errors, _ = strconv.Atoi(attr("data-errors"))
	loadMS, _ = strconv.Atoi(attr("data-load-ms"))
	return attr("data-ready") == "1", errors, loadMS
}

// outDir is where the Chromium tests leave the report and its screenshot:
// $PRIME_HTML_OUT when set (testdata/out, say), else a temporary folder.
func outDir(t testing.TB) string {
	if dir := os.Getenv("PRIME_HTML_OUT"); dir != "" {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		return dir
	}
	return t.TempDir()
}

func TestHTMLInChromium(t *testing.T) {
	needChromium(t)
	r, images, wantImgs, wantMissing := imageReport(t)
	dir := outDir(t)
	file := filepath.Join(dir, "report.html")
	f, err := os.Create(file)
	require.NoError(t, err)
	require.NoError(t, Write(f, r, images))
	require.NoError(t, f.Close())
	url := "file://" + file

	t.Run("loads without errors", func(t *testing.T) {
		run := chromium(t, "--dump-dom", url)
		dom, console := run.stdout, run.console
		t.Logf("chromium ran %v", run.wall)
		assert.Empty(t, console, "console messages")
		ready, errs, loadMS := pageStatus(t, dom)
		assert.True(t, ready, "the page's script ran to its end")
		assert.Zero(t, errs, "script errors")
		t.Logf("page loaded and laid out in %d ms", loadMS)
		for id, want := range wantImgs {
			card := article(t, dom, id)
			assert.Equal(t, want, strings.Count(card, `<img src="data:image/`), "pictures of %s", id)
			assert.Equal(t, wantMissing[id], strings.Count(card, `class="missing"`), "placeholders of %s", id)
		}
		assert.Equal(t, len(r.Modes), strings.Count(chartOf(t, dom), "<circle "), "the chart, a dot per mode")
	})

	t.Run("search", func(t *testing.T) {
		// The page applies a search given in its address: "snow" keeps
		// fox's first mode and hides the rest, "cat" only the quiet class.
		run := chromium(t, "--dump-dom", url+"#q=SNOW%20fox")
		dom, console := run.stdout, run.console
		assert.Empty(t, console)
		_, errs, _ := pageStatus(t, dom)
		assert.Zero(t, errs)
		hidden := func(tag string) bool { return strings.Contains(tag, ` hidden=""`) }
		openTag := func(prefix string) string {
			i := strings.Index(dom, prefix)
			require.GreaterOrEqual(t, i, 0, prefix)
			return dom[i : i+strings.Index(dom[i:], ">")]
		}
		assert.False(t, hidden(openTag(`<article class="mode" id="m1"`)))
		assert.True(t, hidden(openTag(`<article class="mode" id="m2"`)))
		assert.True(t, hidden(openTag(`<article class="mode" id="m3"`)))
		assert.False(t, hidden(openTag(`<section class="cls" id="c1"`)))
		assert.True(t, hidden(openTag(`<section class="cls" id="c2"`)))
		assert.Contains(t, dom, "1 failure mode and 0 other classes match")
		assert.Regexp(t, `<tr hidden=""><td>cat</td>`, dom, "the quiet class is filtered too")
	})

	t.Run("screenshot", func(t *testing.T) {
		shot := filepath.Join(dir, "report.png")
		run := chromium(t, "--screenshot="+shot, "--window-size=1280,2000", "--hide-scrollbars", url)
		assert.Empty(t, run.console)
		data, err := os.ReadFile(shot)
		require.NoError(t, err)
		cfg, err := png.DecodeConfig(bytes.NewReader(data))
		require.NoError(t, err)
		assert.Equal(t, [2]int{1280, 2000}, [2]int{cfg.Width, cfg.Height})
		t.Logf("screenshot: %s", shot)
	})

	t.Run("the check catches errors", func(t *testing.T) {
		// A page with a failing script and a blocked fetch is caught, so a
		// clean run above means something.
		bad := filepath.Join(t.TempDir(), "bad.html")
		page := strings.Replace(pageText, `var status = document.getElementById("prime-status");`,
			`var status = document.getElementById("prime-status"); setTimeout(function () { missing(); }, 0);`, 1)
		require.NotEqual(t, pageText, page)
		page = strings.Replace(page, "</main>", `<img src="https://example.invalid/x.png"></main>`, 1)
		require.NoError(t, os.WriteFile(bad, []byte(page), 0o644))
		run := chromium(t, "--dump-dom", "file://"+bad)
		assert.NotEmpty(t, run.console)
		joined := strings.Join(run.console, "\n")
		assert.Contains(t, joined, "Uncaught")
		assert.Contains(t, joined, "Content Security Policy")
	})
}

// BenchmarkHTMLInChromium reports, for an empty report and for the
// ImageNet-scale one, the time to the page's load event as the page
// measures it and Chromium's processor time (one process).
func BenchmarkHTMLInChromium(b *testing.B) {
	needChromium(b)
	for _, size := range []struct{ classes, modes int }{{3, 0}, {1000, 3000}} {
		b.Run(fmt.Sprintf("classes=%d/modes=%d", size.classes, size.modes), func(b *testing.B) {
			r := syntheticReport(size.classes, size.modes)
			file := filepath.Join(b.TempDir(), "report.html")
			var buf bytes.Buffer
			require.NoError(b, Write(&buf, r, nil))
			require.NoError(b, os.WriteFile(file, buf.Bytes(), 0o644))
			var loadMS int
			var cpu time.Duration
			for b.Loop() {
				run := chromium(b, "--single-process", "--dump-dom", "file://"+file)
				_, _, ms := pageStatus(b, run.stdout)
				loadMS += ms
				cpu += run.cpu
			}
			b.ReportMetric(float64(loadMS)/float64(b.N), "load-ms/op")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// Each mode card says whether its drop exceeds min-drop with confidence,
// with the q-value of that test, and shows the intervals it has.
func TestWriteHTMLConfidentAndIntervals(t *testing.T) {
	r := sampleReport(t)
	r.Modes[2].CI, r.Modes[2].DropCI = nil, nil // a mode without intervals
	var b strings.Builder
	require.NoError(t, Write(&b, r, nil))
	page := b.String()
	assert.Contains(t, article(t, page, "m1"), "confident <b>no</b> (q 0.52)")
	assert.Contains(t, article(t, page, "m2"), "confident <b>yes</b> (q 0.021)")
	assert.Contains(t, article(t, page, "m2"), "[28.0, 57.0]")
	m3 := article(t, page, "m3")
	assert.Contains(t, m3, "confident <b>no</b> (q 0.09)")
	assert.NotContains(t, m3, `class="ci"`, "no interval band without an interval")
}
