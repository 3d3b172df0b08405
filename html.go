package prime

import (
	"bytes"
	_ "embed" // the page template
	"encoding/base64"
	"fmt"
	"html/template"
	"image"
	"image/color"
	_ "image/gif" // decode GIF thumbnails
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"math"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	xdraw "golang.org/x/image/draw"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Limits of the HTML report.
const (
	// ThumbnailSize is the largest side, in pixels, of the thumbnails
	// that WriteHTML embeds.
	ThumbnailSize = 96
	// ChartModes is the most failure modes the HTML report's chart shows:
	// those with the largest drops.
	ChartModes = 30

	maxThumbBytes  = 64 << 20  // an image file larger than this is not read
	maxThumbPixels = 100 << 20 // nor one whose pixels are more than this
	chartLabelLen  = 48        // runes of a mode's description on the chart
	svgPrologEnd   = "<svg "   // where the inline SVG starts
	pixelatedBelow = 48        // thumbnails smaller than this are drawn pixelated
)

//go:embed html.tmpl
var htmlTemplateText string

// htmlTemplate is parsed once; a parsed template is safe for concurrent
// execution.
var htmlTemplate = template.Must(template.New("report").Parse(htmlTemplateText))

// WriteHTML writes the Report as one self-contained HTML page that needs
// no network: a summary, a chart of the modes' accuracies against their
// classes' (the ChartModes modes with the largest drops when there are
// more), an index, and per class with failure modes its accuracy and a
// card per mode. A card describes the mode in words ("fox: black, branch,
// hang"), draws its accuracy and interval as a bar against the baseline's
// accuracy, gives n, drop, p, q and the held-out result when the Report
// was validated, and shows up to MaxExamples thumbnails of its Examples.
// Classes without failure modes are folded away; a search box filters
// classes and tags, and a search can be given in the page's address
// (report.html#q=fox%20snow). The page needs no network: its styles,
// script, chart and pictures are inline, and its content security policy
// forbids fetching anything.
//
// The thumbnails are read from images at each Example's Image path, which
// must be a valid fs.FS path once cleaned (path.Clean); they are scaled to
// at most ThumbnailSize pixels and inlined as data: URIs. With images nil
// there are no thumbnails; an image that cannot be read or decoded is shown
// as a placeholder naming the problem, and is not an error. Images are read
// concurrently, so images must be safe for concurrent use, as os.DirFS and
// fstest.MapFS are. Every string taken from the data is escaped.
func (r *Report) WriteHTML(w io.Writer, images fs.FS) error {
	page, err := r.htmlPage(images)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("prime: writing HTML: %w", err)
	}
	_, err = buf.WriteTo(w)
	return wrapWriteErr(err)
}

// The page's data, all of it plain strings and numbers except where typed
// as trusted HTML, CSS or URL: the CSS and URLs are built here from numbers
// and base64 only, and the chart's SVG escapes every text it draws.
type htmlPage struct {
	Title      string
	Summary    string
	Options    string
	Validation string
	Intervals  bool
	Level      string // "95% interval"
	Baseline   string // what the bar's marker shows
	BaseShort  string // its column name
	Chart      template.HTML
	ChartNote  string
	Index      []htmlClass
	Classes    []htmlClass // with failure modes
	Quiet      []htmlClass // without
	Modes      int
}

type htmlClass struct {
	ID       string
	Label    string
	N        int
	Accuracy string
	Count    int // failure modes
	Modes    []htmlMode
	// Size is the section's estimated height: the browser lays out only
	// the sections in view (content-visibility), which keeps a report of
	// thousands of modes fast to open.
	Size template.CSS
}

type htmlMode struct {
	ID         string
	Label      string
	Tags       []string
	Title      string
	Sentence   string
	N          int
	Accuracy   string
	CI         string
	Baseline   string
	Drop       string
	DropCI     string
	P, Q       string
	Bar        htmlBar
	Validation *htmlValidation
	Thumbs     []htmlThumb
}

type htmlBar struct {
	Interval template.CSS // left and width of the interval
	Point    template.CSS // left of the accuracy
	Marker   template.CSS // left of the baseline's accuracy
	HasCI    bool
}

type htmlValidation struct {
	Holds   bool
	Unknown bool // no held-out result to judge by
	Text    string
}

type htmlThumb struct {
	Src       template.URL // data: URI; empty for a placeholder
	Alt       string
	Caption   string
	Problem   string // why there is no picture
	Wrong     bool
	Pixelated bool
}

func (r *Report) htmlPage(images fs.FS) (*htmlPage, error) {
	lines := r.summaryLines()
	p := &htmlPage{
		Title:     "prime report",
		Summary:   strings.TrimPrefix(lines[0], "prime: "),
		Options:   strings.TrimPrefix(lines[1], "options: "),
		Intervals: r.hasIntervals(),
		Level:     "interval",
		Baseline:  "rest of the class",
		BaseShort: "rest",
		Modes:     len(r.Modes),
	}
	if r.Options.Baseline == BaselineClass {
		p.Baseline, p.BaseShort = "whole class", "class"
	}
	if c := r.Options.Confidence; c > 0 && c < 1 {
		p.Level = strconv.FormatFloat(100*c, 'g', 4, 64) + "% interval"
	}
	if len(lines) > 2 {
		p.Validation = strings.TrimPrefix(lines[2], "validation: ")
	}
	thumbs := r.thumbnails(images)

	// Group the modes by class, in the order of Classes, then any class
	// that Classes lacks, in the order of Modes.
	byLabel := make(map[string][]int)
	var order []string
	for i := range r.Modes {
		l := r.Modes[i].Label
		if _, ok := byLabel[l]; !ok {
			order = append(order, l)
		}
		byLabel[l] = append(byLabel[l], i)
	}
	known := make(map[string]bool, len(r.Classes))
	var groups []htmlClass
	for _, c := range r.Classes {
		known[c.Label] = true
		hc := htmlClass{Label: c.Label, N: c.N, Accuracy: pct(c.Accuracy)}
		if len(byLabel[c.Label]) == 0 {
			p.Quiet = append(p.Quiet, hc)
			continue
		}
		groups = append(groups, hc)
	}
	for _, l := range order {
		if !known[l] {
			m := &r.Modes[byLabel[l][0]]
			groups = append(groups, htmlClass{Label: l, N: m.ClassN, Accuracy: pct(m.ClassAcc)})
		}
	}
	for gi := range groups {
		g := &groups[gi]
		g.ID = "c" + strconv.Itoa(gi+1)
		for _, i := range byLabel[g.Label] {
			g.Modes = append(g.Modes, r.htmlMode(i, thumbs))
		}
		g.Count = len(g.Modes)
		height := 70
		for _, m := range g.Modes {
			height += 180
			if len(m.Thumbs) > 0 {
				height += 130 * ((len(m.Thumbs) + 7) / 8)
			}
		}
		g.Size = template.CSS(fmt.Sprintf("contain-intrinsic-size:auto %dpx", height))
	}
	p.Classes = groups
	p.Index = groups

	if len(r.Modes) > 0 {
		svg, note, err := r.chartSVG()
		if err != nil {
			return nil, err
		}
		p.Chart, p.ChartNote = svg, note
	}
	return p, nil
}

// describe is a mode in words: "fox: black, branch, hang".
func describe(m *FailureMode) string {
	return m.Label + ": " + strings.Join(m.Tags, ", ")
}

func (r *Report) htmlMode(i int, thumbs map[string]thumbResult) htmlMode {
	m := &r.Modes[i]
	base, baseWord := m.RestAccuracy, "the rest of the class"
	if r.Options.Baseline == BaselineClass {
		base, baseWord = m.ClassAcc, "the whole class"
	}
	tagWords := joinWords(m.Tags)
	hm := htmlMode{
		ID:       "m" + strconv.Itoa(i+1),
		Label:    m.Label,
		Tags:     m.Tags,
		Title:    describe(m),
		N:        m.N,
		Accuracy: pct(m.Accuracy),
		Baseline: pct(base),
		Drop:     points(m.Drop),
		P:        fmtP(m.P),
		Q:        fmtP(m.Q),
	}
	hm.Sentence = fmt.Sprintf("The classifier gets %s of the %d %s images tagged %s right, against %s for %s.",
		hm.Accuracy, m.N, m.Label, tagWords, hm.Baseline, baseWord)
	hasCI := r.hasIntervals()
	if hasCI {
		hm.CI = interval(m.CI)
		hm.DropCI = "[" + strconv.FormatFloat(100*m.DropCI[0], 'f', 1, 64) + ", " +
			strconv.FormatFloat(100*m.DropCI[1], 'f', 1, 64) + "]"
	}
	hm.Bar = htmlBar{
		Point:  leftCSS(m.Accuracy),
		Marker: leftCSS(base),
		HasCI:  hasCI,
	}
	if hasCI {
		lo, hi := clamp01(m.CI[0]), clamp01(m.CI[1])
		hm.Bar.Interval = template.CSS(fmt.Sprintf("left:%.2f%%;width:%.2f%%", 100*lo, 100*max(hi-lo, 0)))
	}
	if r.Validation != nil {
		v := m.Validation
		switch {
		case v == nil:
			hm.Validation = &htmlValidation{Unknown: true, Text: "not validated"}
		case v.N == 0:
			hm.Validation = &htmlValidation{Unknown: true, Text: "no held-out records carry these tags"}
		default:
			word := "does not hold"
			if v.Holds {
				word = "holds"
			}
			hm.Validation = &htmlValidation{Holds: v.Holds, Text: fmt.Sprintf(
				"%s on held-out data: %d images, accuracy %s, drop %s, p = %s",
				word, v.N, pct(v.Accuracy), points(v.Drop), fmtP(v.P))}
		}
	}
	if thumbs != nil {
		for _, ex := range m.Examples {
			if ex.Image == "" || len(hm.Thumbs) == MaxExamples {
				continue
			}
			t := thumbs[ex.Image]
			alt := ex.ID
			caption := "correct"
			if !ex.Correct {
				caption = "wrong"
				if ex.Predicted != "" {
					caption = "→ " + ex.Predicted
				}
			}
			alt += ": " + caption
			hm.Thumbs = append(hm.Thumbs, htmlThumb{
				Src: t.uri, Alt: alt, Caption: caption, Problem: t.problem,
				Wrong: !ex.Correct, Pixelated: t.small,
			})
		}
	}
	return hm
}

// joinWords joins tags as a person writes a list: "a", "a and b",
// "a, b and c".
func joinWords(tags []string) string {
	switch len(tags) {
	case 0:
		return "(no tags)"
	case 1:
		return tags[0]
	}
	return strings.Join(tags[:len(tags)-1], ", ") + " and " + tags[len(tags)-1]
}

// points formats a difference of shares in percentage points.
func points(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return strconv.FormatFloat(100*x, 'f', 1, 64) + " points"
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return min(max(x, 0), 1)
}

func leftCSS(x float64) template.CSS {
	return template.CSS(fmt.Sprintf("left:%.2f%%", 100*clamp01(x)))
}

// A thumbResult is one image's thumbnail or the reason there is none.
type thumbResult struct {
	uri     template.URL
	problem string
	small   bool
}

// thumbnails reads, scales and encodes every distinct example image, on
// GOMAXPROCS workers. It returns nil when images is nil.
func (r *Report) thumbnails(images fs.FS) map[string]thumbResult {
	if images == nil {
		return nil
	}
	var names []string
	seen := make(map[string]bool)
	for i := range r.Modes {
		n := 0
		for _, ex := range r.Modes[i].Examples {
			if ex.Image == "" || n == MaxExamples {
				continue
			}
			n++
			if !seen[ex.Image] {
				seen[ex.Image] = true
				names = append(names, ex.Image)
			}
		}
	}
	out := make([]thumbResult, len(names))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Go(func() {
			for i := range next {
				out[i] = thumbnail(images, names[i])
			}
		})
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	res := make(map[string]thumbResult, len(names))
	for i, n := range names {
		res[n] = out[i]
	}
	return res
}

// thumbnail reads the image at name (cleaned) from fsys and returns it
// scaled to at most ThumbnailSize pixels a side as a data: URI.
func thumbnail(fsys fs.FS, name string) thumbResult {
	clean := path.Clean(name)
	if !fs.ValidPath(clean) {
		return thumbResult{problem: "not a path inside the images folder"}
	}
	f, err := fsys.Open(clean)
	if err != nil {
		return thumbResult{problem: "cannot open the image"}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxThumbBytes+1))
	f.Close()
	switch {
	case err != nil:
		return thumbResult{problem: "cannot read the image"}
	case len(data) > maxThumbBytes:
		return thumbResult{problem: "image file too large"}
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return thumbResult{problem: "not a PNG, JPEG or GIF image"}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxThumbPixels {
		return thumbResult{problem: "image too large"}
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return thumbResult{problem: "cannot decode the image"}
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
		return thumbResult{problem: "cannot encode the thumbnail"}
	}
	return thumbResult{
		uri:   template.URL("data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(enc.Bytes())),
		small: max(w, h) < pixelatedBelow,
	}
}

// chartSVG draws the modes with the largest drops (at most ChartModes):
// each mode's accuracy, its interval and its class's accuracy, as inline
// SVG, with a note saying which modes are shown.
func (r *Report) chartSVG() (template.HTML, string, error) {
	idx := make([]int, len(r.Modes))
	for i := range idx {
		idx[i] = i
	}
	// Largest drop first; ties keep the Report's order.
	slices.SortStableFunc(idx, func(a, b int) int {
		da, db := r.Modes[a].Drop, r.Modes[b].Drop
		switch {
		case da > db:
			return -1
		case da < db:
			return 1
		}
		return 0
	})
	note := fmt.Sprintf("All %s, largest drop first.", plural(len(idx), "failure mode", "failure modes"))
	if len(idx) > ChartModes {
		note = fmt.Sprintf("The %d failure modes with the largest drops, of %d; every mode is listed below.", ChartModes, len(idx))
		idx = idx[:ChartModes]
	}
	hasCI := r.hasIntervals()
	rows := make([]chartRow, len(idx))
	ticks := make([]plot.Tick, len(idx))
	for i, mi := range idx {
		m := &r.Modes[mi]
		y := float64(len(idx) - 1 - i)
		rows[i] = chartRow{y: y, acc: clamp01(m.Accuracy), class: clamp01(m.ClassAcc), ci: hasCI,
			lo: clamp01(m.CI[0]), hi: clamp01(m.CI[1])}
		ticks[i] = plot.Tick{Value: y, Label: truncateRunes(plainCell(describe(m)), chartLabelLen)}
	}

	p := plot.New()
	sans := font.Font{Typeface: "Liberation", Variant: "Sans"}
	style := func(s *text.Style, size vg.Length) { s.Font = font.From(sans, size) }
	style(&p.Title.TextStyle, 12)
	style(&p.X.Label.TextStyle, 10)
	style(&p.X.Tick.Label, 9)
	style(&p.Y.Tick.Label, 9)
	p.X.Label.Text = "accuracy"
	// A little room either side, so that a dot at 0% or 100% is whole.
	p.X.Min, p.X.Max = -0.02, 1.02
	p.Y.Min, p.Y.Max = -0.6, float64(len(idx))-0.4
	p.X.Tick.Marker = plot.ConstantTicks{
		{Value: 0, Label: "0%"}, {Value: 0.25, Label: "25%"}, {Value: 0.5, Label: "50%"},
		{Value: 0.75, Label: "75%"}, {Value: 1, Label: "100%"},
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = 0
	p.X.Padding, p.Y.Padding = 0, 0
	p.Add(&gridX{}, &chartRows{rows: rows})

	width := 8 * vg.Inch
	height := vg.Length(len(idx))*0.26*vg.Inch + 0.8*vg.Inch
	c := vgsvg.New(width, height)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", "", fmt.Errorf("prime: drawing the chart: %w", err)
	}
	svg := buf.String()
	if i := strings.Index(svg, svgPrologEnd); i >= 0 {
		svg = svg[i:]
	}
	// vgsvg escapes every text it draws (html.EscapeString), so the SVG
	// holds no markup taken from the data.
	svg = strings.Replace(svg, svgPrologEnd,
		`<svg role="img" aria-label="accuracy of each failure mode with its interval, against its class's accuracy" `, 1)
	return template.HTML(svg), note, nil
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

type chartRow struct {
	y, acc, class, lo, hi float64
	ci                    bool
}

// chartRows draws the chart's rows: the interval as a thick light line,
// the class's accuracy as a dark tick, the mode's accuracy as a dot.
type chartRows struct{ rows []chartRow }

var (
	chartBlue = color.NRGBA{R: 0x9e, G: 0xc5, B: 0xf0, A: 0xff}
	chartRed  = color.NRGBA{R: 0xc0, G: 0x26, B: 0x26, A: 0xff}
	chartGray = color.NRGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xff}
	gridGray  = color.NRGBA{R: 0xe0, G: 0xe0, B: 0xe0, A: 0xff}
)

// Plot implements plot.Plotter.
func (c *chartRows) Plot(cv draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&cv)
	ci := draw.LineStyle{Color: chartBlue, Width: vg.Points(6)}
	tick := draw.LineStyle{Color: chartGray, Width: vg.Points(2)}
	dot := draw.GlyphStyle{Color: chartRed, Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
	for _, r := range c.rows {
		y := trY(r.y)
		if r.ci {
			cv.StrokeLine2(ci, trX(r.lo), y, trX(r.hi), y)
		}
		cv.StrokeLine2(tick, trX(r.class), y-vg.Points(6), trX(r.class), y+vg.Points(6))
		cv.DrawGlyph(dot, vg.Point{X: trX(r.acc), Y: y})
	}
}

// gridX draws vertical grid lines at the quarters.
type gridX struct{}

// Plot implements plot.Plotter.
func (gridX) Plot(cv draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&cv)
	ls := draw.LineStyle{Color: gridGray, Width: vg.Points(0.5)}
	for _, x := range []float64{0.25, 0.5, 0.75} {
		cv.StrokeLine2(ls, trX(x), cv.Min.Y, trX(x), cv.Max.Y)
	}
}
