package prime

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
