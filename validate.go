package prime

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// A ModeValidation is a failure mode re-measured on held-out records.
type ModeValidation struct {
	N            int        `json:"n"`       // held-out records of the class carrying every tag
	Correct      int        `json:"correct"` // of those, classified correctly
	Accuracy     float64    `json:"accuracy"`
	RestAccuracy float64    `json:"rest_accuracy"`
	Drop         float64    `json:"drop"`
	CI           [2]float64 `json:"ci"`
	DropCI       [2]float64 `json:"drop_ci"`
	P            float64    `json:"p"`
	// Holds reports whether the held-out drop is significant: P at most
	// 1 − Confidence.
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
	// over the modes with held-out records; NaN when undefined.
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
// bootstrap intervals (when r's intervals are on) and the one-sided Fisher
// p-value, and marks the mode as holding when the held-out p-value is at
// most 1 − Options.Confidence with a positive drop. It sets r.Validation to
// the share of modes that hold and the correlation of mined against
// held-out drops, the PRIME paper's generalization check.
func (r *Report) ValidateDataset(ctx context.Context, d *Dataset) error {
	o := &r.Options
	// 1 − Confidence, rounded to drop float noise: 1 − 0.95 is 0.05, not
	// 0.050000000000000044.
	alpha := math.Round((1-o.Confidence)*1e12) / 1e12
	v := &Validation{Records: d.Len(), Level: alpha, Modes: len(r.Modes)}
	var mined, held []float64
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
			if o.Bootstrap > 0 {
				rng := rand.New(rand.NewPCG(o.Seed, ^modeStream(m.Label, m.Tags)))
				mv.CI, mv.DropCI = intervals(rng, o, mv.N, mv.Correct, mv.classN, mv.classCorrect)
			}
			mv.Holds = mv.P <= alpha && mv.Drop > 0
			mined = append(mined, m.Drop)
			held = append(held, mv.Drop)
		} else {
			mv.P = 1
		}
		if mv.Holds {
			v.Holding++
		}
		m.Validation = &mv.ModeValidation
	}
	v.Share = ratio(v.Holding, v.Modes)
	v.Correlation = math.NaN()
	if len(mined) >= 2 {
		v.Correlation = stat.Correlation(mined, held, nil)
	}
	r.Validation = v
	return nil
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

// hasAll reports whether the ascending list have holds every element of the
// ascending list want.
func hasAll(have, want []int32) bool {
	j := 0
	for _, t := range have {
		if j == len(want) {
			break
		}
		if t == want[j] {
			j++
		} else if t > want[j] {
			return false
		}
	}
	return j == len(want)
}
