package prime

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// A ModeValidation is a failure mode re-measured on held-out records.
type ModeValidation struct {
	N            int     `json:"n"`       // held-out records of the class carrying every tag
	Correct      int     `json:"correct"` // of those, classified correctly
	Accuracy     float64 `json:"accuracy"`
	RestAccuracy float64 `json:"rest_accuracy"`
	Drop         float64 `json:"drop"`
	// CI and DropCI are the intervals of Accuracy and Drop, made as the
	// Report's; nil (null in JSON) when its intervals are off or there
	// are no held-out records.
	CI     *[2]float64 `json:"ci"`
	DropCI *[2]float64 `json:"drop_ci"`
	P      float64     `json:"p"`
	// Holds reports whether the held-out drop is significant: positive,
	// with P at most Options.ValidationLevel.
	Holds bool `json:"holds"`
}

// Validation summarises a Report's modes re-measured on held-out records.
type Validation struct {
	Records int     `json:"records"` // held-out records
	Level   float64 `json:"level"`   // significance level of Holds
	Modes   int     `json:"modes"`   // modes validated
	Holding int     `json:"holding"` // modes that hold
	Share   float64 `json:"share"`   // Holding / Modes
	// Correlation is Pearson's correlation of mined against held-out drops,
	// over the modes with held-out records; NaN when undefined, as it is
	// for fewer than 3 such modes (with 2 it is ±1 whatever the drops).
	Correlation float64 `json:"correlation"`
}

// Validate re-measures every mode of r on held-out records (records not
// mined), as ValidateDataset does.
func (r *Report) Validate(ctx context.Context, heldout []Record) error {
	d, err := NewDataset(heldout)
	if err != nil {
		return err
	}
	return r.ValidateDataset(ctx, d)
}

// ValidateDataset re-measures every mode of r on the held-out records of d:
// for each mode it sets Validation to the held-out n, accuracy, drop, their
// intervals (when r's intervals are on) and the one-sided Fisher p-value,
// and marks the mode as holding when the held-out drop is positive with a
// p-value at most Options.ValidationLevel (DefaultValidationLevel for a
// Report whose Options lack it). It sets r.Validation to the share of
// modes that hold and the correlation of mined against held-out drops,
// the PRIME paper's generalization check.
func (r *Report) ValidateDataset(ctx context.Context, d *Dataset) error {
	o := &r.Options
	level := cmp.Or(o.ValidationLevel, DefaultValidationLevel)
	v := &Validation{Records: d.Len(), Level: level}
	for i := range r.Modes {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("prime: validate: %w", err)
			}
		}
		m := &r.Modes[i]
		mv := d.measure(m.Label, m.Tags)
		if mv.N > 0 {
			fm := FailureMode{N: mv.N, Correct: mv.Correct, ClassN: mv.classN, ClassCorrect: mv.classCorrect}
			fm.measure(o.Baseline)
			mv.Accuracy, mv.RestAccuracy, mv.Drop = fm.Accuracy, fm.RestAccuracy, fm.Drop
			mv.P = pValue(mv.N, mv.Correct, mv.classN, mv.classCorrect)
			mv.CI, mv.DropCI = intervals(o, ^modeStream(m.Label, m.Tags), mv.N, mv.Correct, mv.classN, mv.classCorrect)
			mv.Holds = mv.P <= level && mv.Drop > 0
		} else {
			mv.P = 1
		}
		m.Validation = &mv.ModeValidation
	}
	v.summarize(r.Modes)
	r.Validation = v
	return nil
}

// summarize sets the counts, share and correlation of v from the
// validations of modes.
func (v *Validation) summarize(modes []FailureMode) {
	v.Modes, v.Holding = len(modes), 0
	var mined, held []float64
	for i := range modes {
		mv := modes[i].Validation
		if mv == nil {
			continue
		}
		if mv.Holds {
			v.Holding++
		}
		if mv.N > 0 {
			mined = append(mined, modes[i].Drop)
			held = append(held, mv.Drop)
		}
	}
	v.Share = ratio(v.Holding, v.Modes)
	v.Correlation = math.NaN()
	if len(mined) >= 3 {
		v.Correlation = stat.Correlation(mined, held, nil)
	}
}

// heldoutCounts is a ModeValidation with its class's counts.
type heldoutCounts struct {
	ModeValidation
	classN, classCorrect int
}

// measure counts the records of class label in d, and those among them that
// carry every tag of tags (sorted names), with how many of each are correct.
func (d *Dataset) measure(label string, tags []string) heldoutCounts {
	var h heldoutCounts
	c, ok := slices.BinarySearch(d.labels, label)
	if !ok {
		return h
	}
	ids := make([]int32, 0, len(tags))
	missing := false
	for _, t := range tags {
		id, ok := slices.BinarySearch(d.tags, t)
		if !ok {
			missing = true
			break
		}
		ids = append(ids, int32(id))
	}
	for _, i := range d.byLabel[c] {
		h.classN++
		right := d.correct[i]
		if right {
			h.classCorrect++
		}
		if !missing && hasAll(d.recordTags(int(i)), ids) {
			h.N++
			if right {
				h.Correct++
			}
		}
	}
	return h
}

// hasAll reports whether have holds every element of want.
func hasAll(have, want []int32) bool {
	for _, t := range want {
		if !slices.Contains(have, t) {
			return false
		}
	}
	return true
}
