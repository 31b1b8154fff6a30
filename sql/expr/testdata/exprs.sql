# Expressions evaluated by PostgreSQL 15 to record expected results.
# Regenerate: go test ./sql/expr -run TestPGExprs -rewrite (needs psql and PGEXPR_DSN).
# arithmetic
1 + 2
2147483647 + 1
2147483647::bigint + 1
9223372036854775807 + 1
-2147483648 / -1
(-32768)::smallint * -1::smallint
7 / 2
-7 / 2
7 % 3
-7 % 3
7 % -3
1 / 0
1 % 0
1.0 / 0
1.5::float8 / 0
5 / 2.0
1 / 3.0
10 / 4::numeric
2 / 3::numeric
1::numeric / 7
100.0 / 3
0.001 / 3
123456789.123 / 7
1.50 + 1
1.5 * 1.25
2.5 - 3
7.5 % 2
-7.5 % 2
1 + 1.5
1 + 1.5::float8
1::float4 + 1
1.5::float4 + 1.25::float4
1.5::float4 * 2
0.1::float8 + 0.2::float8
1e308::float8 * 10
-(5)
-(1.5)
-(-2147483648)
- 2147483647 - 1
1 + '2'
'1.5' + 2.5
1 = 1.0
1 < 1.5::float8
1.0::numeric = 1::float8
'abc' < 'abd'
'abc' = 'abc'::varchar
true > false
NULL::int = 1
NULL = NULL
1 <> 2
2 >= 2
'a' || 'b'
'a' || 1
1 || 'a'
'a' || NULL
'a' || 1.50
'x' || true
'x' || date '2024-01-02'
# three-valued logic
true and null
false and null
null and null
true or null
false or null
not null::bool
null::bool is true
null::bool is not true
false is false
null::bool is unknown
1 is distinct from 1
1 is distinct from null
null is not distinct from null
1 is not distinct from 2
1 in (1, 2, 3)
4 in (1, 2, 3)
4 in (1, 2, null)
1 in (1, null)
4 not in (1, 2, null)
4 not in (1, 2, 3)
null::int in (1, 2)
'b' in ('a', 'b', 'c', 'd', 'e')
5 in (1, 2, 3, 4, 5, 6)
1.0 in (1, 2)
1 = any(array[1, 2])
3 = any(array[1, 2])
3 = any(array[1, null])
1 = all(array[1, 1])
1 = all(array[1, null])
1 = all(array[2, null])
1 < all(array[2, 3])
null::int = any(array[1])
case when 1 > 2 then 'a' when 2 > 1 then 'b' end
case when 1 > 2 then 'a' end
case 2 when 1 then 'one' when 2 then 'two' else 'many' end
case when true then 1 else 2.5 end
coalesce(null, 2, 3)
coalesce(null::int, null)
coalesce(null, 'x')
coalesce(1, 1.5)
nullif(1, 1)
nullif(1, 2)
nullif('a', 'b')
greatest(1, 2.5, 2)
least(3, null, 1)
greatest(null::int, null)
greatest('apple', 'banana')
# casts
'42'::int
'abc'::int
'  42  '::int
3.7::int
-2.5::int
2.5::int
'3000000000'::int
3000000000::int
'1.5'::numeric(5,2)
123.456::numeric(5,2)
1e3::int
'2024-01-15'::date
'2024-01-15 10:30:00'::timestamp
'1 day 2 hours'::interval
123::text
1.5::text
true::text
'true'::bool
'yes'::bool
'maybe'::bool
# string functions
lower('HeLLo Wörld')
upper('straße')
length('héllo')
char_length('')
octet_length('héllo')
substr('hello', 2)
substr('hello', 2, 3)
substr('hello', 0, 3)
substr('hello', -1, 3)
substr('hello', 10)
substr('hello', 2, -1)
substring('hello' from 2 for 2)
substring('héllo', 2, 2)
concat('a', null, 'b', 1, 2.5)
concat()
concat(null)
concat_ws(',', 'a', null, 'b', 3)
concat_ws(null, 'a', 'b')
split_part('a,b,c', ',', 2)
split_part('a,b,c', ',', 5)
split_part('a,b,c', ',', -1)
split_part('a,b,c', ',', 0)
split_part('abc', '', 1)
replace('hello world', 'o', '0')
replace('hello', '', 'x')
trim('  hi  ')
btrim('xxhixx', 'x')
ltrim('  hi  ')
rtrim('  hi  ')
ltrim('xyxhi', 'xy')
rtrim('hixyx', 'xy')
position('lo' in 'hello')
position('z' in 'hello')
position('' in 'hello')
strpos('héllo', 'l')
left('hello', 2)
left('hello', -2)
right('hello', 2)
right('hello', -2)
right('hello', 10)
left('hello', 0)
lpad('hi', 5)
lpad('hi', 5, 'xy')
lpad('hello', 3)
rpad('hi', 5, 'xy')
rpad('hi', 1)
lpad('hi', -1)
lpad('hi', 5, '')
repeat('ab', 3)
repeat('ab', 0)
repeat('ab', -1)
reverse('héllo')
initcap('hello wORLD foo_bar 3abc')
starts_with('hello', 'he')
starts_with('hello', 'lo')
md5('abc')
md5('')
translate('12345', '143', 'ax')
ascii('A')
chr(65)
quote_literal('it''s')
# like
'hello' like 'h%'
'hello' like '%ll%'
'hello' like '%lo'
'hello' like 'h_llo'
'hello' like 'h_lo'
'hello' like 'hello'
'hello' like '%'
'' like '%'
'hello' like ''
'hello' like 'H%'
'hello' ilike 'H%'
'HELLO' ilike '%ll%'
'hello' not like 'h%'
'hello' not ilike 'X%'
'a%b' like 'a\%b'
'axb' like 'a\%b'
'a%b' like 'a#%b' escape '#'
'a_b' like 'a$_b' escape '$'
'abc' like 'a%' escape ''
'ab' like 'a\'
'héllo' like 'h_llo'
'mississippi' like '%ss%ss%'
'mississippi' like 'm%i%s%p_'
'abcabc' like '%abc'
'ab' like '%a%b%c'
'ÉCOLE' ilike 'éc%'
null like 'a'
# regex
'hello' ~ 'l+'
'hello' ~ '^h.*o$'
'Hello' ~ 'h'
'Hello' ~* 'h'
'Hello' !~ 'h'
'Hello' !~* 'h'
'abc' ~ '('
E'a\nb' ~ 'a.b'
E'a\nb' ~ '^b'
'foo bar' ~ '\mbar'
'foobar' ~ '\mbar'
regexp_replace('hello world', 'o', '0')
regexp_replace('hello world', 'o', '0', 'g')
regexp_replace('Hello World', 'o', '0', 'gi')
regexp_replace('abc', '(a)(b)', '\2\1')
regexp_replace('abc', 'b', '[\&]')
regexp_replace('aaa', 'a*', 'X', 'g')
regexp_replace('abc', 'x*', '-', 'g')
regexp_replace('abc', 'b', '$1')
regexp_replace('abc', 'B', 'x', 'i')
regexp_replace('abc', 'b', 'x', 'z')
regexp_match('foobarbequebaz', 'bar.*que')
regexp_match('foobarbequebaz', '(bar)(beque)')
regexp_match('foobar', 'x')
regexp_match('abc', '(x)?b')
regexp_match('abc', 'b', 'g')
regexp_like('Hello', 'h', 'i')
regexp_count('abcabc', 'b')
substring('foobar' from 'o.b')
substring('foobar', 'o(.)b')
# math
abs(-5)
abs(-5.5)
abs(-2147483648)
abs(-1.5::float8)
round(2.5)
round(-2.5)
round(2.5::float8)
round(3.5::float8)
round(90.8, 2)
round(1234.5678, -2)
round(1.005, 2)
round(-0.4)
round(5)
round(0.5::numeric, 0)
ceil(1.2)
ceil(-1.2)
ceil(1.2::float8)
ceiling(-0.5)
floor(-1.5)
floor(1.5::float8)
trunc(1.99)
trunc(-1.99)
trunc(1.2345, 2)
trunc(1.99::float8)
sqrt(16)
sqrt(2)
sqrt(2::numeric)
sqrt(16::numeric)
sqrt(0.5::numeric)
sqrt(-1)
power(2, 10)
power(2.0, 3)
power(2::numeric, 0.5)
power(0, -1)
mod(7, 3)
mod(-7, 3)
mod(7.5, 2)
mod(5, 0)
sign(-3)
sign(0.0)
sign(2.5)
exp(1)
ln(10)
log(100)
ln(0)
pi()
div(7, 2)
div(-7.5, 2)
# dates and times
timestamp '2024-01-31 10:00:00' + interval '1 month'
timestamp '2024-03-31 10:00:00' - interval '1 month'
timestamp '2024-02-29 00:00:00' + interval '1 year'
timestamp '2024-01-01 00:00:00' + interval '1 day 2 hours 3.5 seconds'
timestamptz '2024-01-01 00:00:00+00' + interval '90 minutes'
timestamp '2024-01-02 03:04:05' - timestamp '2024-01-01 00:00:00'
timestamp '2024-01-01' - timestamp '2024-01-02 01:00:00'
timestamp '2024-03-01' - timestamp '2023-03-01'
date '2024-01-31' + 1
1 + date '2024-02-28'
date '2024-03-01' - 1
date '2024-03-01' - date '2024-02-01'
date '2024-01-01' + interval '1 hour'
date '2024-01-01' - interval '1 day'
interval '1 day' + interval '2 hours'
interval '1 day' - interval '2 hours'
interval '1 hour' * 2.5
2 * interval '1 month'
interval '1 month' * 1.5
interval '1 day' / 3
interval '3 days' / 2
interval '1 hour' / 0
-(interval '1 day -2 hours')
interval '1 day' = interval '24 hours'
interval '1 month' > interval '29 days'
interval '1 month' = interval '30 days'
timestamp '2024-01-01' < timestamp '2024-01-02'
date '2024-01-01' < timestamp '2024-01-01 00:00:01'
timestamp '2024-01-01 10:00:00' = '2024-01-01 10:00'
timestamp '2024-01-01 10:00:00' > '2024-01-01'
date_trunc('hour', timestamp '2024-05-06 07:08:09.123456')
date_trunc('day', timestamp '2024-05-06 07:08:09')
date_trunc('week', timestamp '2024-05-09 07:08:09')
date_trunc('month', timestamp '2024-05-06 07:08:09')
date_trunc('quarter', timestamp '2024-05-06 07:08:09')
date_trunc('year', timestamp '2024-05-06 07:08:09')
date_trunc('decade', timestamp '2024-05-06 07:08:09')
date_trunc('century', timestamp '2024-05-06 07:08:09')
date_trunc('millennium', timestamp '2024-05-06 07:08:09')
date_trunc('minute', timestamp '2024-05-06 07:08:09')
date_trunc('second', timestamp '2024-05-06 07:08:09.9')
date_trunc('milliseconds', timestamp '2024-05-06 07:08:09.123456')
date_trunc('MINUTE', timestamptz '2024-05-06 07:08:09+00')
date_trunc('fortnight', timestamp '2024-05-06 07:08:09')
date_trunc('month', date '2024-05-06')
date_trunc('hour', interval '1 day 02:03:04')
date_trunc('year', interval '1 year 2 months 3 days')
extract(year from timestamp '2024-05-06 07:08:09.5')
extract(month from timestamp '2024-05-06 07:08:09.5')
extract(day from timestamp '2024-05-06 07:08:09.5')
extract(hour from timestamp '2024-05-06 07:08:09.5')
extract(minute from timestamp '2024-05-06 07:08:09.5')
extract(second from timestamp '2024-05-06 07:08:09.5')
extract(milliseconds from timestamp '2024-05-06 07:08:09.5')
extract(microseconds from timestamp '2024-05-06 07:08:09.5')
extract(epoch from timestamp '2024-05-06 07:08:09.5')
extract(epoch from timestamptz '2024-05-06 07:08:09+00')
extract(dow from timestamp '2024-05-05')
extract(isodow from timestamp '2024-05-05')
extract(doy from timestamp '2024-12-31')
extract(week from timestamp '2024-12-31')
extract(isoyear from timestamp '2024-12-31')
extract(quarter from timestamp '2024-05-06')
extract(decade from timestamp '2024-05-06')
extract(century from timestamp '2024-05-06')
extract(millennium from timestamp '2000-05-06')
extract(year from date '2024-05-06')
extract(epoch from date '2024-05-06')
extract(hour from date '2024-05-06')
extract(foo from timestamp '2024-05-06')
extract(epoch from interval '1 day 2 hours')
extract(epoch from interval '1 year 1 month')
extract(hour from interval '1 day 26 hours')
extract(second from interval '1 minute 30.5 seconds')
extract(month from interval '14 months')
extract(year from timestamp '0001-01-01 BC')
extract(timezone from timestamptz '2024-01-01 00:00:00+00')
date_part('year', timestamp '2024-05-06 07:08:09.5')
date_part('second', timestamp '2024-05-06 07:08:09.5')
date_part('epoch', timestamp '2024-05-06 07:08:09.5')
date_part('epoch', interval '1 hour')
date_part('day', date '2024-05-06')
to_timestamp(1700000000)
to_timestamp(1700000000.5)
to_timestamp(0)
to_timestamp(-1.5)
to_char(timestamp '2024-05-06 07:08:09.123456', 'YYYY-MM-DD HH24:MI:SS')
to_char(timestamp '2024-05-06 07:08:09.123456', 'YYYY-MM-DD HH24:MI:SS.MS')
to_char(timestamp '2024-05-06 07:08:09.123456', 'HH24:MI:SS.US')
to_char(timestamp '2024-05-06 19:08:09', 'HH12:MI AM')
to_char(timestamp '2024-05-06 00:08:09', 'HH:MI pm')
to_char(timestamp '2024-05-06 07:08:09', 'Mon DD, YYYY')
to_char(timestamp '2024-05-06 07:08:09', 'Month')
to_char(timestamp '2024-05-06 07:08:09', 'FMMonth FMDD')
to_char(timestamp '2024-05-06 07:08:09', 'Day Dy DAY')
to_char(timestamp '2024-05-06 07:08:09', 'DDD D Q IW')
to_char(timestamp '2024-05-01 07:08:09', 'FMDDth "of" Month')
to_char(timestamptz '2024-05-06 07:08:09+00', 'YYYY-MM-DD"T"HH24:MI:SSOF')
to_timestamp('2024-05-06 07:08:09', 'YYYY-MM-DD HH24:MI:SS')
to_timestamp('06/05/2024', 'DD/MM/YYYY')
to_timestamp('2024-05-06 07:08:09.123', 'YYYY-MM-DD HH24:MI:SS.MS')
to_timestamp('May 06 2024 7:08 PM', 'Mon DD YYYY HH12:MI AM')
to_timestamp('2024-13-06', 'YYYY-MM-DD')
to_date('2024-05-06', 'YYYY-MM-DD')
date_bin(interval '15 minutes', timestamp '2024-05-06 07:08:09', timestamp '2000-01-01')
date_bin(interval '1 hour', timestamp '2024-05-06 07:08:09', timestamp '2024-05-06 00:30:00')
date_bin(interval '1 month', timestamp '2024-05-06 07:08:09', timestamp '2000-01-01')
age(timestamp '2024-05-06', timestamp '2023-03-10 12:00')
age(timestamp '2023-03-10', timestamp '2024-05-06')
justify_hours(interval '27 hours')
justify_days(interval '35 days')
make_date(2024, 2, 29)
make_date(2023, 2, 29)
# arrays
array[1, 2, 3]
array[1, 2.5]
array['a', null, 'c']
array_length(array[1, 2, 3], 1)
array_length(array[1, 2, 3], 2)
cardinality(array[1, 2, 3])
array_to_string(array[1, null, 3], ',')
array_to_string(array[1, null, 3], ',', '*')
array_to_string(array['a', 'b'], '')
string_to_array('a,b,c', ',')
string_to_array('a,b,,c', ',', '')
string_to_array('abc', null)
string_to_array('abc', '')
string_to_array('', ',')
array[1, 2] || array[3]
array[1, 2] || 3
0 || array[1, 2]
array_append(array[1, 2], 3)
array_prepend(0, array[1, 2])
array_cat(array[1], array[2, 3])
array_position(array['a', 'b'], 'b')
array_remove(array[1, 2, 1], 1)
array_upper(array[1, 2, 3], 1)
array[1, 2] = array[1, 2]
array[1, 2] < array[1, 3]
(array[10, 20, 30])[2]
