package htmlreport

import (
	"bytes"
	_ "embed" // the page template
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"

	"github.com/failmodes/prime"
)

//go:embed report.tmpl
var pageText string

// page is parsed once; a parsed template is safe for concurrent execution.
var page = template.Must(template.New("report").Parse(pageText))

// Write writes r as one self-contained HTML page: a summary, a chart of
// the modes' accuracies against their classes' (the ChartModes modes with
// the largest drops when there are more), an index, and per class with
// failure modes its accuracy and a card per mode. A card describes the
// mode in words ("fox: black, branch, hang"), draws its accuracy and
// interval as a bar against the baseline's accuracy, gives n, drop, p, q
// and the held-out result when the Report was validated, and shows up to
// prime.MaxExamples thumbnails of its Examples. Classes without failure
// modes are folded away; a search box filters classes and tags, and a
// search can be given in the page's address (report.html#q=fox%20snow).
// The page needs no network: its styles, script, chart and pictures are
// inline, and its content security policy forbids fetching anything.
// Every string taken from the data is escaped.
//
// The thumbnails are read from the path in each Example's Image. A
// relative path, slash-separated as records files hold it, is looked up in
// images once cleaned (path.Clean); one that leads out of images
// ("../x.png") is not read. An absolute path is read from the operating
// system's file system. With images nil there are no thumbnails. Images
// are scaled to at most ThumbnailSize pixels a side and inlined as data:
// URIs; an image that cannot be read or decoded is shown as a placeholder
// naming the problem, and is not an error. Images are decoded by package
// image, which knows PNG, JPEG and GIF here: register other formats by
// importing their decoders (import _ "golang.org/x/image/webp"). Images are
// read concurrently, so images must be safe for concurrent use, as
// os.DirFS and fstest.MapFS are.
func Write(w io.Writer, r *prime.Report, images fs.FS) error {
	var buf bytes.Buffer
	if err := page.Execute(&buf, newPage(r, images)); err != nil {
		return fmt.Errorf("htmlreport: %w", err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("htmlreport: writing: %w", err)
	}
	return nil
}

// The page's data, all of it plain strings and numbers except where typed
// as trusted CSS or URL: those are built here from numbers and base64
// only.
type htmlPage struct {
	Summary    string
	Options    string
	Validation string
	Intervals  bool
	Level      string      // "95% interval"
	Baseline   string      // what the bar's marker shows
	BaseShort  string      // its column name
	Chart      *chart      // nil without modes
	Classes    []htmlClass // with failure modes
	Quiet      []htmlClass // without
	Modes      int
}

type htmlClass struct {
	ID       string
	Label    string
	N        int
	Accuracy string
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
	Sentence   string
	N          int
	Accuracy   string
	CI         string
	Baseline   string
	Drop       string
	DropCI     string
	P, Q       string
	Confident  string // "yes" or "no": the drop exceeds min-drop with confidence
	DropQ      string // the q-value of that test
	Bar        htmlBar
	Validation *htmlValidation
	Thumbs     []htmlThumb
}

type htmlBar struct {
	Interval template.CSS // left and width of the interval; empty without
	Point    template.CSS // left of the accuracy
	Marker   template.CSS // left of the baseline's accuracy
}

type htmlValidation struct {
	Class string // ok, no or unknown
	Text  string
}

type htmlThumb struct {
	Src       template.URL // data: URI; empty for a placeholder
	Alt       string
	Caption   string
	Problem   string // why there is no picture
	Wrong     bool
	Pixelated bool
}

func newPage(r *prime.Report, images fs.FS) *htmlPage {
	lines := r.Summary()
	p := &htmlPage{
		Summary:   strings.TrimPrefix(lines[0], "prime: "),
		Options:   strings.TrimPrefix(lines[1], "options: "),
		Intervals: r.HasIntervals(),
		Level:     "interval",
		Baseline:  "rest of the class",
		BaseShort: "rest",
		Modes:     len(r.Modes),
	}
	if r.Options.Baseline == prime.BaselineClass {
		p.Baseline, p.BaseShort = "whole class", "class"
	}
	if c := r.Options.Confidence; c > 0 && c < 1 {
		p.Level = strconv.FormatFloat(100*c, 'g', 4, 64) + "% interval"
	}
	if len(lines) > 2 {
		p.Validation = strings.TrimPrefix(lines[2], "validation: ")
	}
	thumbs := thumbnails(r, images)

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
	for _, c := range r.Classes {
		known[c.Label] = true
		hc := htmlClass{Label: c.Label, N: c.N, Accuracy: pct(c.Accuracy)}
		if len(byLabel[c.Label]) == 0 {
			p.Quiet = append(p.Quiet, hc)
		} else {
			p.Classes = append(p.Classes, hc)
		}
	}
	for _, l := range order {
		if !known[l] {
			m := &r.Modes[byLabel[l][0]]
			p.Classes = append(p.Classes, htmlClass{Label: l, N: m.ClassN, Accuracy: pct(m.ClassAccuracy)})
		}
	}
	for ci := range p.Classes {
		c := &p.Classes[ci]
		c.ID = "c" + strconv.Itoa(ci+1)
		height := 70
		for _, i := range byLabel[c.Label] {
			m := newMode(r, i, thumbs)
			c.Modes = append(c.Modes, m)
			height += 180 + 130*((len(m.Thumbs)+7)/8)
		}
		c.Size = template.CSS(fmt.Sprintf("contain-intrinsic-size:auto %dpx", height))
	}
	if len(r.Modes) > 0 {
		p.Chart = newChart(r)
	}
	return p
}

func newMode(r *prime.Report, i int, thumbs map[string]thumbnail) htmlMode {
	m := &r.Modes[i]
	base, baseWord := m.RestAccuracy, "the rest of the class"
	if r.Options.Baseline == prime.BaselineClass {
		base, baseWord = m.ClassAccuracy, "the whole class"
	}
	hm := htmlMode{
		ID:        "m" + strconv.Itoa(i+1),
		Label:     m.Label,
		Tags:      m.Tags,
		N:         m.N,
		Accuracy:  pct(m.Accuracy),
		Baseline:  pct(base),
		Drop:      points(m.Drop),
		P:         fmtP(m.P),
		Q:         fmtP(m.Q),
		DropQ:     fmtP(m.DropQ),
		Confident: "no",
		Bar:       htmlBar{Point: leftCSS(m.Accuracy), Marker: leftCSS(base)},
	}
	if m.Confident {
		hm.Confident = "yes"
	}
	hm.Sentence = fmt.Sprintf("The classifier gets %s of the %d %s images tagged %s right, against %s for %s.",
		hm.Accuracy, m.N, m.Label, joinWords(m.Tags), hm.Baseline, baseWord)
	if m.CI != nil {
		hm.CI = "[" + percent(m.CI[0]) + ", " + percent(m.CI[1]) + "]"
		lo, hi := clamp01(m.CI[0]), clamp01(m.CI[1])
		hm.Bar.Interval = template.CSS(fmt.Sprintf("left:%.2f%%;width:%.2f%%", 100*lo, 100*max(hi-lo, 0)))
	}
	if m.DropCI != nil {
		hm.DropCI = "[" + percent(m.DropCI[0]) + ", " + percent(m.DropCI[1]) + "]"
	}
	if r.Validation != nil {
		hm.Validation = validation(m.Validation)
	}
	if thumbs == nil {
		return hm
	}
	for _, ex := range m.Examples {
		if ex.Image == "" || len(hm.Thumbs) == prime.MaxExamples {
			continue
		}
		t := thumbs[ex.Image]
		caption := "correct"
		if !ex.Correct {
			caption = "wrong"
			if ex.Predicted != "" {
				caption = "→ " + ex.Predicted
			}
		}
		hm.Thumbs = append(hm.Thumbs, htmlThumb{
			Src: t.uri, Alt: ex.ID + ": " + caption, Caption: caption, Problem: t.problem,
			Wrong: !ex.Correct, Pixelated: t.small,
		})
	}
	return hm
}

// validation describes a mode's held-out result.
func validation(v *prime.ModeValidation) *htmlValidation {
	switch {
	case v == nil:
		return &htmlValidation{Class: "unknown", Text: "not validated"}
	case v.N == 0:
		return &htmlValidation{Class: "unknown", Text: "no held-out records carry these tags"}
	}
	class, word := "no", "does not hold"
	if v.Holds {
		class, word = "ok", "holds"
	}
	return &htmlValidation{Class: class, Text: fmt.Sprintf("%s on held-out data: %d images, accuracy %s, drop %s, p = %s",
		word, v.N, pct(v.Accuracy), points(v.Drop), fmtP(v.P))}
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

// percent formats a share in percent with one decimal: "41.9".
func percent(x float64) string { return strconv.FormatFloat(100*x, 'f', 1, 64) }

// pct formats a share as a percentage: "41.9%".
func pct(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return percent(x) + "%"
}

// points formats a difference of shares in percentage points.
func points(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return percent(x) + " points"
}

// fmtP formats a p- or q-value with two significant digits.
func fmtP(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return strconv.FormatFloat(x, 'g', 2, 64)
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
