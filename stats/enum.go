package stats

import "fmt"

// What Method and Interval, enumerations of constants 0, 1, …, share.

// enumString returns names[v], or typ(v) when v is not one of its
// indices: the String of an enumeration.
func enumString[T ~int](v T, typ string, names ...string) string {
	if v >= 0 && int(v) < len(names) {
		return names[v]
	}
	return fmt.Sprintf("%s(%d)", typ, int(v))
}

// enumText returns the name of v as text, or an error naming kind when v
// is not one of the constants first to last: the MarshalText of an
// enumeration.
func enumText[T interface {
	~int
	fmt.Stringer
}](v, first, last T, kind string) ([]byte, error) {
	if v < first || v > last {
		return nil, fmt.Errorf("stats: unknown %s %d", kind, int(v))
	}
	return []byte(v.String()), nil
}

// unmarshalEnum sets *dst to the value parse returns for text: the
// UnmarshalText of an enumeration.
func unmarshalEnum[T any](dst *T, text []byte, parse func(string) (T, error)) error {
	v, err := parse(string(text))
	if err != nil {
		return err
	}
	*dst = v
	return nil
}
