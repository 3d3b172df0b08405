package prime

// A Record is one image after inference: its true class, the classifier's
// prediction and the tagger's tags. It is the unit that Analyze mines and
// the line of a records file (JSON Lines; see ReadDataset).
//
// A record may also keep the models' scores, so that its tags can be
// decided again at other thresholds without running the tagger again
// (Rethreshold, Dataset.Rethreshold), and the classifier's
// confidence studied: TagScores, TagFloor and PredScores. Run fills them
// when the plug-ins give scores; a record without them is as before.
type Record struct {
	ID        string   // unique within a data set
	Label     string   // the true class; never empty
	Predicted string   // the predicted class; empty when only Correct is known
	Correct   bool     // whether the prediction is right; used only when Predicted is empty
	Tags      []string // the image's tags; order does not matter, a repeat counts once
	Image     string   // optional: the image's path, for reports that show pictures (see htmlreport.Write)

	// TagScores, optional, holds the tagger's score, in [0, 1], of every
	// tag of Tags and of every other tag of its vocabulary that scored
	// above TagFloor: those below their threshold too, which a lower
	// threshold would have given the image. Nil when no scores were kept;
	// empty (and not nil) when they were and no tag scored above TagFloor.
	// Names are unique.
	TagScores []Score
	// TagFloor, read only with TagScores, is the score that every tag
	// absent from TagScores scored at most: the lowest threshold the tags
	// can be decided again at. 1 says nothing of the absent tags (a records
	// file that gives "tag_scores" without "tag_floor" means 1).
	TagFloor float32
	// PredScores, optional, holds some of the classifier's scores, the
	// highest, by class (Run keeps RunOptions.PredScores of them). Names
	// are unique.
	PredScores []Score
}

// A Score is a model's score for a name: a tag's (Record.TagScores) or a
// class's (Record.PredScores).
type Score struct {
	Name  string
	Value float32
}

// IsCorrect reports whether the classifier got the record right: Predicted
// equals Label, or, when Predicted is empty, Correct.
func (r *Record) IsCorrect() bool {
	if r.Predicted != "" {
		return r.Predicted == r.Label
	}
	return r.Correct
}
