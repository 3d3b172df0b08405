package prime

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// A FailureMode is a set of tags whose images the classifier gets wrong far
// more often than the rest of their class.
//
// Its intervals, p- and q-values are computed on the data that selected it
// among many tag sets: they describe the mode as measured there, and they
// are optimistic about modes chosen because they looked extreme. Measuring
// the mode again on records that were not mined (Report.Validate) gives
// numbers free of that selection.
type FailureMode struct {
	Label         string   `json:"label"`          // the class
	Tags          []string `json:"tags"`           // the tag set T, ascending
	N             int      `json:"n"`              // records of the class carrying every tag
	Correct       int      `json:"correct"`        // of those, classified correctly
	Accuracy      float64  `json:"accuracy"`       // A_T = Correct / N
	RestAccuracy  float64  `json:"rest_accuracy"`  // A_R(T): accuracy on the class's other records
	Drop          float64  `json:"drop"`           // against the baseline: A_R(T) − A_T, or A_c − A_T
	ClassN        int      `json:"class_n"`        // records of the class
	ClassCorrect  int      `json:"class_correct"`  // of those, classified correctly
	ClassAccuracy float64  `json:"class_accuracy"` // A_c = ClassCorrect / ClassN

	// CI and DropCI are the confidence intervals of Accuracy and Drop,
	// made by Options.Interval at Options.Confidence; nil (null in JSON)
	// when intervals are off.
	CI     *[2]float64 `json:"ci"`
	DropCI *[2]float64 `json:"drop_ci"`
	P      float64     `json:"p"` // one-sided Fisher exact p: errors higher on T than on the rest (drop > 0)
	Q      float64     `json:"q"` // P adjusted for all tested sets by Options.Correction
	// DropP is the one-sided score p-value (Miettinen–Nurminen) of
	// H0: drop ≤ Options.MinDrop, DropQ its q-value over all tested sets,
	// and Confident reports whether DropQ ≤ Options.FDR, or ≤
	// DefaultFDR when FDR is 1 (no filter): whether the drop exceeds the
	// threshold with confidence, not only on the point estimate.
	DropP     float64 `json:"drop_p"`
	DropQ     float64 `json:"drop_q"`
	Confident bool    `json:"confident"`

	Validation *ModeValidation `json:"validation,omitempty"` // set by Report.Validate

	// Examples are up to MaxExamples of the mode's records, misclassified
	// ones first, each in input order, so that reports can show pictures.
	Examples []Example `json:"examples,omitempty"`
}

// MaxExamples is the most records a FailureMode keeps as Examples.
const MaxExamples = 12

// An Example is one record of a failure mode.
type Example struct {
	ID        string `json:"id"`
	Image     string `json:"image,omitempty"`     // the image's path, as in the records file
	Predicted string `json:"predicted,omitempty"` // "" when only correctness is known
	Correct   bool   `json:"correct"`
}

// String describes the mode in words: "fox: black, branch, hang (n=43,
// accuracy 41.9% vs 86.2%)".
func (m *FailureMode) String() string {
	return fmt.Sprintf("%s: %s (n=%d, accuracy %.1f%% vs %.1f%%)",
		m.Label, strings.Join(m.Tags, ", "), m.N, 100*m.Accuracy, 100*m.RestAccuracy)
}

// A ClassSummary is one class of a Report.
type ClassSummary struct {
	Label    string  `json:"label"`
	N        int     `json:"n"`
	Correct  int     `json:"correct"`
	Accuracy float64 `json:"accuracy"`
	Modes    int     `json:"modes"` // failure modes reported for the class
}

// A Report is what Analyze finds.
type Report struct {
	Options Options        `json:"options"` // as run, defaults filled in
	Classes []ClassSummary `json:"classes"` // every class, by label
	// Modes are the failure modes, ordered by label, then tag count, then
	// tags.
	Modes []FailureMode `json:"modes"`

	Records    int    `json:"records"`    // records analysed
	Tags       int    `json:"tags"`       // distinct tags
	Evaluated  int64  `json:"evaluated"`  // tag sets whose support was counted
	Hypotheses int64  `json:"hypotheses"` // tag sets meeting the size condition: the tests corrected for
	Correction string `json:"correction"` // the name of Options.Correction, the correction of Q and DropQ

	Validation *Validation `json:"validation,omitempty"` // set by Validate
}

// ErrFailureModes is wrapped by the error Report.Err returns.
var ErrFailureModes = errors.New("failure modes found")

// Err returns nil when the Report holds no failure mode, and otherwise an
// error that lists every mode, one per line. It wraps ErrFailureModes.
func (r *Report) Err() error {
	if len(r.Modes) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("prime: " + plural(len(r.Modes), "failure mode", "failure modes") + ":")
	for i := range r.Modes {
		b.WriteString("\n\t")
		b.WriteString(r.Modes[i].String())
	}
	return &modesError{msg: b.String()}
}

type modesError struct{ msg string }

func (e *modesError) Error() string { return e.msg }
func (e *modesError) Unwrap() error { return ErrFailureModes }

// Except returns a copy of r without the modes listed in accepted, matched
// by label and tags; the other fields of accepted are ignored. The copy's
// counts of modes per class, and its validation summary when r was
// validated, count the modes left. With a baseline of accepted modes kept
// in a file (ReadModes), a test that fails only when a new failure mode
// appears is
//
//	require.NoError(t, report.Except(accepted).Err())
func (r *Report) Except(accepted []FailureMode) *Report {
	known := make(map[string]bool, len(accepted))
	for i := range accepted {
		known[modeKey(accepted[i].Label, accepted[i].Tags)] = true
	}
	out := *r
	out.Modes = nil
	out.Classes = slices.Clone(r.Classes)
	left := make(map[string]int, len(r.Classes))
	for _, m := range r.Modes {
		if !known[modeKey(m.Label, m.Tags)] {
			out.Modes = append(out.Modes, m)
			left[m.Label]++
		}
	}
	for i := range out.Classes {
		out.Classes[i].Modes = left[out.Classes[i].Label]
	}
	if r.Validation != nil {
		v := *r.Validation
		v.summarize(out.Modes)
		out.Validation = &v
	}
	return &out
}

// modeKey identifies a mode by its label and its tags in any order.
func modeKey(label string, tags []string) string {
	sorted := slices.Clone(tags)
	slices.Sort(sorted)
	return label + "\x00" + strings.Join(sorted, "\x00")
}

// ReadModes reads failure modes from JSON Lines, one mode per line, as
// Report.WriteJSONL writes them: a baseline of accepted modes for Except.
// Only label and tags are required; blank lines are skipped. Errors name
// the line.
func ReadModes(r io.Reader) ([]FailureMode, error) {
	var modes []FailureMode
	br := bufio.NewReader(r)
	for line := 1; ; line++ {
		text, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(text)) > 0 {
			var m FailureMode
			if jerr := json.Unmarshal(text, &m); jerr != nil {
				return nil, fmt.Errorf("prime: modes line %d: %v", line, jerr)
			}
			if m.Label == "" || len(m.Tags) == 0 {
				return nil, fmt.Errorf("prime: modes line %d: want a label and at least one tag", line)
			}
			modes = append(modes, m)
		}
		if err == io.EOF {
			return modes, nil
		}
		if err != nil {
			return nil, fmt.Errorf("prime: reading modes: %w", err)
		}
	}
}
