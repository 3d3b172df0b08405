package prime

// A Record is one image after inference: its true class, the classifier's
// prediction and the tagger's tags. It is the unit that Analyze mines and
// the line of a records file (JSON Lines; see ReadDataset).
type Record struct {
	ID        string   // unique within a data set
	Label     string   // the true class; never empty
	Predicted string   // the predicted class; empty when only Correct is known
	Correct   bool     // whether the prediction is right; used only when Predicted is empty
	Tags      []string // the image's tags; order does not matter, a repeat counts once
	Image     string   // optional: the image's path, for reports that show pictures (see htmlreport.Write)
}

// IsCorrect reports whether the classifier got the record right: Predicted
// equals Label, or, when Predicted is empty, Correct.
func (r *Record) IsCorrect() bool {
	if r.Predicted != "" {
		return r.Predicted == r.Label
	}
	return r.Correct
}
