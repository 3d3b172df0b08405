package htmlreport

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/failmodes/prime"
)

// ChartModes is the most failure modes the chart shows: those with the
// largest drops.
const ChartModes = 30

// The chart's geometry, in CSS pixels.
const (
	chartWidth    = 800
	chartRowH     = 24 // a mode's row
	chartTop      = 8  // above the first row
	chartAxisH    = 40 // the axis, its ticks' labels and its title
	chartLabelLen = 48 // runes of a mode's description
	chartCharW    = 6.6
)

// px is a coordinate of the chart, written with one decimal.
type px float64

func (p px) String() string { return strconv.FormatFloat(float64(p), 'f', 1, 64) }

// A chart is the inline SVG of the modes with the largest drops: each
// mode's accuracy as a dot, its interval as a band and its class's
// accuracy as a tick, on one row per mode.
type chart struct {
	Note          string // which modes are shown
	Width, Height px
	Left, Right   px // the plot area's edges: labels end at Left
	Axis          px // y of the axis
	Ticks         []chartTick
	Rows          []chartRow
}

type chartTick struct {
	X     px
	Label string
}

type chartRow struct {
	Y, Top, Bottom     px // the row's centre, and the class's tick's ends
	Label              string
	Lo, Hi, Class, Acc px // x of the interval's ends, the class's accuracy, the mode's
	Interval           bool
}

func newChart(r *prime.Report) *chart {
	idx := make([]int, len(r.Modes))
	for i := range idx {
		idx[i] = i
	}
	// Largest drop first; ties keep the Report's order.
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(r.Modes[b].Drop, r.Modes[a].Drop) })
	c := &chart{Note: "All 1 failure mode."}
	if len(idx) > 1 {
		c.Note = fmt.Sprintf("All %d failure modes, largest drop first.", len(idx))
	}
	if len(idx) > ChartModes {
		c.Note = fmt.Sprintf("The %d failure modes with the largest drops, of %d; every mode is listed below.", ChartModes, len(idx))
		idx = idx[:ChartModes]
	}
	labels := make([]string, len(idx))
	longest := 0
	for i, mi := range idx {
		m := &r.Modes[mi]
		labels[i] = truncate(m.Label+": "+strings.Join(m.Tags, ", "), chartLabelLen)
		longest = max(longest, utf8.RuneCountInString(labels[i]))
	}
	c.Width = chartWidth
	c.Left = px(min(max(60, 12+chartCharW*float64(longest)), chartWidth/2))
	c.Right = chartWidth - 16
	c.Axis = px(chartTop + chartRowH*len(idx) + 4)
	c.Height = c.Axis + chartAxisH
	// A little room either side, so that a dot at 0% or 100% is whole.
	x := func(a float64) px { return c.Left + 8 + px((clamp01(a)+0.02)/1.04)*(c.Right-c.Left-8) }
	for _, q := range []float64{0, 0.25, 0.5, 0.75, 1} {
		c.Ticks = append(c.Ticks, chartTick{X: x(q), Label: strconv.Itoa(int(100*q)) + "%"})
	}
	for i, mi := range idx {
		m := &r.Modes[mi]
		y := px(chartTop + chartRowH*(float64(i)+0.5))
		row := chartRow{
			Y: y, Top: y - 6, Bottom: y + 6,
			Label: labels[i],
			Class: x(m.ClassAccuracy), Acc: x(m.Accuracy),
		}
		if m.CI != nil {
			row.Lo, row.Hi, row.Interval = x(m.CI[0]), x(m.CI[1]), true
		}
		c.Rows = append(c.Rows, row)
	}
	return c
}

// truncate cuts s to n runes, the last an ellipsis when it cuts.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
