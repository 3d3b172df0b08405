package prime

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/failmodes/prime/stats"
)

// WriteText writes the Report as a table a person reads: a summary of the
// run (records, classes, hypotheses, options), then one aligned row per
// failure mode with its tags, size, accuracy and interval
// ("41.9% [28.0, 57.0]"), the rest's accuracy, the drop and its interval,
// p, q and, when the Report was validated, the held-out result. When no
// mode was found it says so.
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, line := range r.Summary() {
		bw.WriteString(line)
		bw.WriteByte('\n')
	}
	if len(r.Modes) == 0 {
		bw.WriteString("no failure modes found\n")
		return wrapWriteErr(bw.Flush())
	}
	bw.WriteByte('\n')
	tw := tabwriter.NewWriter(bw, 0, 8, 2, ' ', 0)
	head := r.columns()
	tw.Write([]byte(strings.ToUpper(strings.Join(head, "\t")) + "\n"))
	for i := range r.Modes {
		m := &r.Modes[i]
		cells := r.cells(m)
		for j, c := range cells {
			cells[j] = plainCell(c)
		}
		tw.Write([]byte(strings.Join(cells, "\t") + "\n"))
	}
	if err := tw.Flush(); err != nil {
		return wrapWriteErr(err)
	}
	return wrapWriteErr(bw.Flush())
}

// WriteMarkdown writes the Report as GitHub-flavoured Markdown: the summary
// as a paragraph and the failure modes as a table with the columns of
// WriteText, tags in code spans. Everything taken from the data is escaped,
// so a label or tag holding "|" or "<" cannot break the table.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	lines := r.Summary()
	// The summary holds numbers and option values only, no data.
	bw.WriteString("**" + lines[0] + "**")
	for _, line := range lines[1:] {
		bw.WriteString("<br>\n" + line)
	}
	bw.WriteString("\n\n")
	if len(r.Modes) == 0 {
		bw.WriteString("No failure modes found.\n")
		return wrapWriteErr(bw.Flush())
	}
	head := r.columns()
	bw.WriteString("| " + strings.Join(head, " | ") + " |\n|")
	for _, h := range head {
		switch h {
		case "label", "tags", "confident", "validation":
			bw.WriteString(" --- |")
		default:
			bw.WriteString(" ---: |")
		}
	}
	bw.WriteByte('\n')
	for i := range r.Modes {
		m := &r.Modes[i]
		cells := r.cells(m)
		cells[0] = mdEscape(m.Label)
		code := make([]string, len(m.Tags))
		for j, t := range m.Tags {
			code[j] = mdCode(t)
		}
		cells[1] = strings.Join(code, " ")
		bw.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return wrapWriteErr(bw.Flush())
}

// WriteJSON writes the whole Report as one indented JSON document. A
// validation correlation that is undefined (NaN) is written as null.
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("prime: writing JSON: %w", err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return wrapWriteErr(err)
}

// validationFields is Validation without its JSON methods.
type validationFields Validation

// MarshalJSON implements json.Marshaler: an undefined (NaN) correlation
// is null.
func (v Validation) MarshalJSON() ([]byte, error) {
	out := struct {
		validationFields
		Correlation *float64 `json:"correlation"` // in place of the float64
	}{validationFields: validationFields(v)}
	if c := v.Correlation; !math.IsNaN(c) && !math.IsInf(c, 0) {
		out.Correlation = &c
	}
	return json.Marshal(out)
}

// UnmarshalJSON implements json.Unmarshaler: a null or absent correlation
// is NaN, undefined.
func (v *Validation) UnmarshalJSON(data []byte) error {
	*v = Validation{}
	in := struct {
		*validationFields
		Correlation *float64 `json:"correlation"` // in place of the float64
	}{validationFields: (*validationFields)(v)}
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	v.Correlation = math.NaN()
	if in.Correlation != nil {
		v.Correlation = *in.Correlation
	}
	return nil
}

// jsonlMode is one line of WriteJSONL: exactly the fields of the JSON
// Lines output format, in this order.
type jsonlMode struct {
	Label        string          `json:"label"`
	Tags         []string        `json:"tags"`
	N            int             `json:"n"`
	Accuracy     float64         `json:"accuracy"`
	RestAccuracy float64         `json:"rest_accuracy"`
	Drop         float64         `json:"drop"`
	CI           *[2]float64     `json:"ci"`
	DropCI       *[2]float64     `json:"drop_ci"`
	CIMethod     string          `json:"ci_method,omitempty"`
	P            float64         `json:"p"`
	Q            float64         `json:"q"`
	DropP        float64         `json:"drop_p"`
	DropQ        float64         `json:"drop_q"`
	Confident    bool            `json:"confident"`
	Validation   *ModeValidation `json:"validation,omitempty"`
}

// WriteJSONL writes one failure mode per line as a JSON object with the
// fields label, tags, n, accuracy, rest_accuracy, drop, ci, drop_ci,
// ci_method, p, q, drop_p, drop_q and confident, in that order, numbers in
// full float64 precision, and validation when the Report was validated.
// ci and drop_ci are null, and ci_method absent, when intervals are off;
// ci_method names the Options.Interval that made them. Modes keep the
// Report's order (label, tag count, tags).
func (r *Report) WriteJSONL(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range r.Modes {
		m := &r.Modes[i]
		line := jsonlMode{
			Label: m.Label, Tags: m.Tags, N: m.N,
			Accuracy: m.Accuracy, RestAccuracy: m.RestAccuracy, Drop: m.Drop,
			CI: m.CI, DropCI: m.DropCI, P: m.P, Q: m.Q,
			DropP: m.DropP, DropQ: m.DropQ, Confident: m.Confident,
		}
		if m.CI != nil || m.DropCI != nil {
			line.CIMethod = r.Options.Interval.String()
		}
		if line.Tags == nil {
			line.Tags = []string{}
		}
		if r.Validation != nil {
			line.Validation = m.Validation
		}
		if err := enc.Encode(&line); err != nil {
			return fmt.Errorf("prime: writing JSON Lines: mode %d (%s): %w", i, m.Label, err)
		}
	}
	return wrapWriteErr(bw.Flush())
}

func wrapWriteErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("prime: writing report: %w", err)
}

// Summary describes the run in two or three lines, as WriteText and
// WriteMarkdown begin: what was analysed and found ("prime: 999 records in
// 3 classes, ..."), the options ("options: min-size 30, ..."), and, when
// the Report was validated, the validation ("validation: ..."). It serves
// writers of other formats, such as package htmlreport.
func (r *Report) Summary() []string {
	classesWithModes := 0
	for i := range r.Modes {
		if i == 0 || r.Modes[i].Label != r.Modes[i-1].Label {
			classesWithModes++
		}
	}
	found := "no failure modes"
	if len(r.Modes) > 0 {
		found = plural(len(r.Modes), "failure mode", "failure modes") + " in " + plural(classesWithModes, "class", "classes")
	}
	lines := []string{
		fmt.Sprintf("prime: %s in %s, %s; %s tested; %s",
			plural(r.Records, "record", "records"), plural(len(r.Classes), "class", "classes"),
			plural(r.Tags, "tag", "tags"), plural64(r.Hypotheses, "tag set", "tag sets"), found),
		"options: " + r.Options.short(r.Correction),
	}
	if v := r.Validation; v != nil {
		corr := "undefined"
		if !math.IsNaN(v.Correlation) {
			corr = strconv.FormatFloat(v.Correlation, 'f', 2, 64)
		}
		lines = append(lines, fmt.Sprintf(
			"validation: %s held out; %d of %d modes hold at level %s (%s); correlation of mined and held-out drops %s",
			plural(v.Records, "record", "records"), v.Holding, v.Modes, fmtNum(v.Level), pct(v.Share), corr))
	}
	return lines
}

// short is the options in one line, named as prime mine's flags, with the
// multiple-testing correction beside the FDR and the methods of the
// intervals beside the interval method.
func (o *Options) short(correction string) string {
	s := fmt.Sprintf("min-size %d, min-drop %s, min-marginal-drop %s, max-tags %d, baseline %v, fdr %s",
		o.MinSize, fmtNum(o.minDrop()), fmtNum(o.minMarginalDrop()), o.MaxTags, o.Baseline, fmtNum(o.FDR))
	if correction != "" {
		s += " (" + correction + ")"
	}
	if o.Confident {
		s += ", confident"
	}
	switch {
	case !o.intervals():
		s += ", no intervals"
	case o.Interval == stats.IntervalWilson:
		s += ", interval wilson (newcombe for the drop)"
	case o.Interval == stats.IntervalClopperPearson:
		s += ", interval clopper-pearson (newcombe on clopper-pearson for the drop)"
	default:
		s += fmt.Sprintf(", interval bootstrap (wilson and newcombe where a group is 0%% or 100%% right), bootstrap %d", o.Bootstrap)
	}
	if o.intervals() {
		s += ", confidence " + fmtNum(o.Confidence)
	}
	return s + fmt.Sprintf(", seed %d", o.Seed)
}

// columns names the table's columns.
func (r *Report) columns() []string {
	c := []string{"label", "tags", "n", "accuracy", "rest", "drop", "p", "q", "confident"}
	if r.Options.Baseline == BaselineClass {
		c[4] = "class"
	}
	if r.Validation != nil {
		c = append(c, "validation")
	}
	return c
}

// cells formats a mode's row, in the order of columns.
func (r *Report) cells(m *FailureMode) []string {
	acc, drop := pct(m.Accuracy), pct(m.Drop)
	if m.CI != nil {
		acc += " " + interval(m.CI)
	}
	if m.DropCI != nil {
		drop += " " + interval(m.DropCI)
	}
	base := m.RestAccuracy
	if r.Options.Baseline == BaselineClass {
		base = m.ClassAccuracy
	}
	confident := "no"
	if m.Confident {
		confident = "yes"
	}
	c := []string{m.Label, strings.Join(m.Tags, ", "), strconv.Itoa(m.N), acc, pct(base), drop, fmtP(m.P), fmtP(m.Q),
		confident + " (q=" + fmtP(m.DropQ) + ")"}
	if r.Validation != nil {
		c = append(c, validationCell(m.Validation))
	}
	return c
}

// HasIntervals reports whether any mode of the Report carries a confidence
// interval (FailureMode.CI or DropCI not nil).
func (r *Report) HasIntervals() bool {
	return slices.ContainsFunc(r.Modes, func(m FailureMode) bool { return m.CI != nil || m.DropCI != nil })
}

func validationCell(v *ModeValidation) string {
	switch {
	case v == nil:
		return "-"
	case v.N == 0:
		return "no held-out records"
	}
	verdict := "fails"
	if v.Holds {
		verdict = "holds"
	}
	return fmt.Sprintf("%s (n=%d, %s, drop %s, p=%s)", verdict, v.N, pct(v.Accuracy), pct(v.Drop), fmtP(v.P))
}

// pct formats a share as a percentage with one decimal: "41.9%".
func pct(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return strconv.FormatFloat(100*x, 'f', 1, 64) + "%"
}

// interval formats an interval of shares in percent: "[28.0, 57.0]".
func interval(ci *[2]float64) string {
	return "[" + strconv.FormatFloat(100*ci[0], 'f', 1, 64) + ", " + strconv.FormatFloat(100*ci[1], 'f', 1, 64) + "]"
}

// fmtP formats a p- or q-value with two significant digits.
func fmtP(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return strconv.FormatFloat(x, 'g', 2, 64)
}

// fmtNum formats a parameter in the shortest form that reads back exactly.
func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func plural(n int, one, many string) string { return plural64(int64(n), one, many) }

func plural64(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// plainCell replaces control characters (tabs, newlines), which would break
// a text table, by spaces.
func plainCell(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// mdEscape escapes text for a cell of a GitHub Markdown table: the
// punctuation that Markdown or HTML would interpret gets a backslash, and
// control characters become spaces.
func mdEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case unicode.IsControl(c):
			b.WriteByte(' ')
		case strings.ContainsRune("\\`*_[]<>|~&", c):
			b.WriteByte('\\')
			b.WriteRune(c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// mdCode writes s as a code span in a table cell: delimited by one more
// backtick than the longest run inside it, with pipes escaped (GitHub
// splits cells on "|" even inside code spans).
func mdCode(s string) string {
	s = plainCell(s)
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	fence := strings.Repeat("`", longest+1)
	if longest > 0 || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
