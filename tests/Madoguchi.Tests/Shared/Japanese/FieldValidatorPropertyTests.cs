using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Madoguchi.Web.Shared.Japanese;

namespace Madoguchi.Tests.Shared.Japanese;

/// <summary>
/// DESIGN.md §4.12: the field validators are total (no input makes one throw) and their normalisation
/// is idempotent (a normalised value validates to itself), over arbitrary Unicode, lone surrogates,
/// IVS selectors and text built from the pieces each validator looks for.
/// </summary>
public sealed class FieldValidatorPropertyTests
{
    /// <summary>Fragments that reach deep into the parsers: digits of both widths, era names, kana, separators, IVS, surrogates, controls.</summary>
    private static readonly Gen<string> Pieces = Gen.Elements(
            "0", "1", "9", "12", "2025", "31", "０", "９", "１２", "令和", "平成", "昭和", "元", "R", "H", "年", "月", "日", ".", "/", "-", "－", "ー", "ｰ",
            "〒", "+81", "＋", "(", ")", "@", "＠", ".jp", "xn--", "例え", ",", "，", "e", "普通", "当座", "ふつう", "きょうこ", "ｷｮｳｺ", "ﾊﾟ", "゛", "\u3099",
            "ァ", "ヵ", "・", "･", " ", "　", "\t", "\n", "\r", "\u0000", "\u0007", "\u202E", "\uFEFF", "\u200B", "葛", "\U000E0100", "\U000E01EF", "\uE000",
            "𠮷", "\uD800", "\uDC00", "\uDB40", "\uFFFF", "\uFA19", "a", "Z", "<", "&")
        .ListOf().Select(xs => string.Concat(xs));

    private static readonly Arbitrary<string>[] Inputs =
    [
        Generators.Any,
        Generators.Nasty,
        Pieces.ToArbitrary(),
        // Any code point, supplementary planes included (FsCheck's own strings rarely leave the BMP).
        Gen.Choose(0, 0x10FFFF).Where(cp => cp is < 0xD800 or > 0xDFFF).Select(char.ConvertFromUtf32).ListOf().Select(xs => string.Concat(xs)).ToArbitrary(),
    ];

    private static void ForAllInputs(Func<string, bool> property)
    {
        foreach (var arb in Inputs) Prop.ForAll(arb, property).Check(Generators.Thorough);
    }

    /// <summary>A result is either a value and no errors, or errors with codes and messages in every language.</summary>
    private static bool WellFormed<T>(Validated<T> v)
        => v.IsValid ? v.Value is not null && v.Errors.Count == 0
            : v.Errors.Count > 0 && v.Errors.All(e => e.Code.Length > 0 && e.Message.Ja.Length > 0 && e.Message.En.Length > 0 && e.Message.EasyHtml.Length > 0 && e.Message.Easy.Length > 0);

    [Fact]
    public void Text_fields_never_throw_and_normalise_idempotently()
    {
        ForAllInputs(s =>
        {
            var results = new[]
            {
                FuriganaField.Validate(s), NameField.Validate(s), AddressField.Validate(s), TextField.Validate(s), TextField.Validate(s, multiline: true),
                PostcodeField.Validate(s), EmailField.Validate(s), MyNumberField.Validate(s), CorporateNumberField.Validate(s),
                BankAccountField.Holder(s), BankAccountField.BankCode(s), BankAccountField.BranchCode(s), BankAccountField.AccountNumber(s),
            };
            var again = new Func<string, Validated<string>>[]
            {
                x => FuriganaField.Validate(x), x => NameField.Validate(x), x => AddressField.Validate(x), x => TextField.Validate(x), x => TextField.Validate(x, multiline: true),
                PostcodeField.Validate, EmailField.Validate, MyNumberField.Validate, CorporateNumberField.Validate,
                BankAccountField.Holder, BankAccountField.BankCode, BankAccountField.BranchCode, BankAccountField.AccountNumber,
            };
            _ = FieldInput.IsBlank(s);
            _ = TextField.Length(s);
            _ = MyNumberField.Mask(s);
            _ = EmailField.ToAscii(s);
            _ = PostcodeField.Digits(s);
            _ = BankAccountField.ToHalfWidth(s);
            for (var i = 0; i < results.Length; i++)
            {
                if (!WellFormed(results[i])) return false;
                if (results[i].IsValid && again[i](results[i].Value!) is var twice && (!twice.IsValid || twice.Value != results[i].Value)) return false;
            }
            return true;
        });
    }

    [Fact]
    public void Date_phone_number_and_account_type_fields_never_throw_and_round_trip()
    {
        ForAllInputs(s =>
        {
            var date = DateField.Validate(s);
            var phone = PhoneField.Validate(s);
            var integer = NumberField.Integer(s);
            var number = NumberField.Decimal(s, 3);
            var type = BankAccountField.AccountType(s);
            _ = Wareki.ParseDate(s, out _);
            if (!WellFormed(date) || !WellFormed(phone) || !WellFormed(integer) || !WellFormed(number) || !WellFormed(type)) return false;
            return (!date.IsValid || (DateField.Validate(date.Value.Iso).Value == date.Value && DateField.Validate(date.Value.Wareki).Value == date.Value))
                   && (!phone.IsValid || (PhoneField.Validate(phone.Value.National).Value == phone.Value && PhoneField.Validate(phone.Value.E164).Value == phone.Value))
                   && (!integer.IsValid || NumberField.Integer(integer.Value.ToString(CultureInfo.InvariantCulture)).Value == integer.Value)
                   && (!number.IsValid || NumberField.Decimal(number.Value.ToString(CultureInfo.InvariantCulture), 3).Value == number.Value)
                   && (!type.IsValid || BankAccountField.AccountType(BankAccountField.TypeName(type.Value)).Value == type.Value);
        });
    }

    [Fact]
    public void Addresses_keep_every_character_other_than_whitespace()
    {
        // Whatever an address holds (外字, IVS, surrogate pairs), the accepted value is the input with
        // whitespace tidied: the same characters in the same order, nothing split or folded.
        ForAllInputs(s =>
        {
            var v = AddressField.Validate(s);
            if (!v.IsValid) return true;
            static string Visible(string x) => string.Concat(x.Where(c => !char.IsWhiteSpace(c) && c is not ('\uFEFF' or '\u200B')));
            return Visible(v.Value) == Visible(s);
        });
    }

    [Fact]
    public void Any_valid_my_number_is_accepted_however_it_is_typed_and_a_wrong_digit_is_refused()
    {
        var numbers = Generators.Digits(11).Select(d => d + MyNumber.CheckDigit(d).ToString(CultureInfo.InvariantCulture));
        Prop.ForAll(numbers.ToArbitrary(), Gen.Choose(0, 11).ToArbitrary(), Gen.Choose(1, 9).ToArbitrary(), (n, i, delta) =>
        {
            var typed = string.Concat(n.Select((c, k) => (k % 4 == 0 && k > 0 ? "-" : "") + (char)(c - '0' + '０')));
            var wrong = n[..i] + (char)((n[i] - '0' + delta) % 10 + '0') + n[(i + 1)..];
            // The scheme's one blind spot: remainders 0 and 1 share the check digit 0, so a changed
            // digit that moves the remainder between them goes unnoticed. Anything else is caught.
            var blindSpot = i < 11 && MyNumber.Remainder(n.AsSpan(0, 11)) <= 1 && MyNumber.Remainder(wrong.AsSpan(0, 11)) <= 1;
            return MyNumberField.Validate(typed).Value == n && MyNumberField.Validate(wrong).IsValid == blindSpot;
        }).Check(Generators.Thorough);
    }

    [Fact]
    public void Any_valid_date_is_read_back_from_either_calendar_in_full_width()
    {
        var days = Gen.Choose(new DateOnly(1900, 1, 1).DayNumber, new DateOnly(2100, 12, 31).DayNumber).Select(DateOnly.FromDayNumber);
        Prop.ForAll(days.ToArbitrary(), d =>
        {
            var wide = Web.Shared.Japanese.Wareki.Format(d).Select(c => c is >= '0' and <= '9' ? (char)(c - '0' + '０') : c);
            return DateField.Validate(new string([.. wide])).Value?.Date == d && DateField.Validate(d.ToString("yyyy/M/d", CultureInfo.InvariantCulture)).Value?.Date == d;
        }).Check(Generators.Thorough);
    }
}
