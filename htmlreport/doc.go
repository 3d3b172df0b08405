// Package htmlreport writes a prime.Report as one self-contained HTML
// page: a chart of the failure modes' accuracies against their classes', a
// card per mode with its statistics and thumbnails of its examples, and a
// search box, with no network needed to open it.
//
// It is a package of its own so that programs that only mine records and
// gate a test on the result (package prime) do not carry an HTML template
// and an image scaler. The command prime writes this page with
// "prime mine -format html".
package htmlreport
