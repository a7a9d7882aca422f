// Which engine type names are integers: one test for the profiler's roles (an integer unique in
// every row may be an id), drift (integer codes with few values are categories, as Evidently
// infers them) and the checks' `type: integer` rule. DuckDB's names (TINYINT … UHUGEINT, INT1-8)
// and the usual aliases other engines write into profiles (LONG, SHORT, BYTE, INT64), any case.
const INTEGER_TYPE = /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|U?INT\d+|LONG|SHORT|BYTE)$/i;

export function isIntegerType(type: string): boolean {
  return INTEGER_TYPE.test(type.trim());
}
