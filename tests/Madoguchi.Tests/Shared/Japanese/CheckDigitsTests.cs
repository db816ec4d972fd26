using FsCheck;
using FsCheck.Fluent;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Shared.Japanese;

public sealed class CheckDigitsTests
{
    [Theory]
    [InlineData("123456789018", true)]
    [InlineData("123456789019", false)]
    [InlineData("12345678901", false)]
    [InlineData("1234567890180", false)]
    [InlineData("１２３４５６７８９０１８", false)] // canonical form only: normalise input first
    [InlineData("١٢٣٤٥٦٧٨٩٠١٨", false)]      // Arabic-Indic digits are digits to char.IsDigit, not to us
    [InlineData("1234 5678 9018", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void MyNumber_checks_its_last_digit(string? number, bool valid) => Assert.Equal(valid, MyNumber.IsValid(number));

    [Theory]
    [InlineData("7000012050002", true)]  // 国税庁
    [InlineData("1180301018771", true)]  // トヨタ自動車
    [InlineData("8000012050002", false)]
    [InlineData("0000012050002", false)] // the check digit is 1–9, never 0
    [InlineData("700001205000", false)]
    [InlineData(null, false)]
    public void CorporateNumber_checks_its_leading_digit(string? number, bool valid) => Assert.Equal(valid, CorporateNumber.IsValid(number));

    [Theory]
    [InlineData("131083", true)] // 江東区
    [InlineData("130001", true)] // 東京都
    [InlineData("131084", false)]
    [InlineData("13108", false)]
    [InlineData("1310830", false)]
    [InlineData("１３１０８３", false)]
    [InlineData(null, false)]
    public void LocalGovernmentCode_checks_its_sixth_digit(string? code, bool valid) => Assert.Equal(valid, LocalGovernmentCode.IsValid(code));

    [Theory]
    [InlineData("１２３４５６７８９０１８", "123456789018")]
    [InlineData("1234 5678 9018", "123456789018")]
    [InlineData("1234-5678-9018", "123456789018")]
    [InlineData("１２３４－５６７８－９０１８", "123456789018")]
    [InlineData("　１３１０８３ ", "131083")]
    [InlineData("13108a", "13108a")] // other characters stay, so the validator still refuses them
    public void What_people_type_is_normalised_to_ascii_digits(string typed, string canonical)
        => Assert.Equal(canonical, CheckDigits.NormalizeDigits(typed));

    [Fact]
    public void Validators_never_throw_on_any_string()
    {
        foreach (var arb in new[] { Generators.Any, Generators.Nasty })
        {
            Prop.ForAll(arb, s =>
            {
                _ = MyNumber.IsValid(s);
                _ = CorporateNumber.IsValid(s);
                _ = LocalGovernmentCode.IsValid(s);
                _ = MyNumber.CheckDigit(s);
                _ = CorporateNumber.CheckDigit(s);
                _ = LocalGovernmentCode.CheckDigit(s);
                var n = CheckDigits.NormalizeDigits(s);
                return n is not null && (s is null || n.Length <= s.Length + 16);
            }).Check(Generators.Thorough);
        }
        Assert.Null(CheckDigits.NormalizeDigits(null));
    }

    [Fact]
    public void A_number_built_with_its_check_digit_is_valid_also_when_typed_full_width_with_spaces()
    {
        Prop.ForAll(Generators.Digits(11).ToArbitrary(), body =>
        {
            var number = body + MyNumber.CheckDigit(body);
            var typed = string.Concat(number.Select(c => (char)(c - '0' + '０'))).Insert(8, "　").Insert(4, " ");
            return MyNumber.IsValid(number) && MyNumber.IsValid(CheckDigits.NormalizeDigits(typed));
        }).QuickCheckThrowOnFailure();
        Prop.ForAll(Generators.Digits(12).ToArbitrary(), body => CorporateNumber.IsValid(CorporateNumber.CheckDigit(body) + body))
            .QuickCheckThrowOnFailure();
        Prop.ForAll(Generators.Digits(5).ToArbitrary(), body => LocalGovernmentCode.IsValid(body + LocalGovernmentCode.CheckDigit(body)))
            .QuickCheckThrowOnFailure();
    }

    // A single-digit change (a typo) is caught except in each scheme's known blind spot, which the
    // published formulas themselves have; these properties pin the blind spot down exactly, so any
    // other undetected change would be a bug.
    private static Gen<(string Valid, string Changed, int Position)> OneDigitChanged(Gen<string> valid, int length)
        => from number in valid
           from position in Gen.Choose(0, length - 1)
           from delta in Gen.Choose(1, 9)
           let changed = number[..position] + (char)('0' + (number[position] - '0' + delta) % 10) + number[(position + 1)..]
           select (number, changed, position);

    [Fact]
    public void MyNumber_catches_a_single_digit_change_except_between_remainders_0_and_1()
    {
        var valid = Generators.Digits(11).Select(b => b + MyNumber.CheckDigit(b));
        Prop.ForAll(OneDigitChanged(valid, 12).ToArbitrary(), t =>
        {
            var blindSpot = t.Position < 11
                && MyNumber.Remainder(t.Valid.AsSpan(0, 11)) <= 1
                && MyNumber.Remainder(t.Changed.AsSpan(0, 11)) <= 1;
            return MyNumber.IsValid(t.Changed) == blindSpot;
        }).QuickCheckThrowOnFailure();
        // The blind spot is real, not a reading of the formula: 00000000000 has remainder 0 and so
        // does 00000000006 (6·2 = 12 ≡ 1): both take check digit 0.
        Assert.True(MyNumber.IsValid("000000000000"));
        Assert.True(MyNumber.IsValid("000000000060"));
    }

    [Fact]
    public void CorporateNumber_catches_a_single_digit_change_except_0_and_9_swapped()
    {
        var valid = Generators.Digits(12).Select(b => CorporateNumber.CheckDigit(b) + b);
        Prop.ForAll(OneDigitChanged(valid, 13).ToArbitrary(), t =>
        {
            var pair = (t.Valid[t.Position], t.Changed[t.Position]);
            var blindSpot = t.Position > 0 && pair is ('0', '9') or ('9', '0');
            return CorporateNumber.IsValid(t.Changed) == blindSpot;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void LocalGovernmentCode_catches_a_single_digit_change_except_between_remainders_0_and_10()
    {
        var valid = Generators.Digits(5).Select(b => b + LocalGovernmentCode.CheckDigit(b));
        Prop.ForAll(OneDigitChanged(valid, 6).ToArbitrary(), t =>
        {
            var before = LocalGovernmentCode.Remainder(t.Valid.AsSpan(0, 5));
            var after = LocalGovernmentCode.Remainder(t.Changed.AsSpan(0, 5));
            var blindSpot = t.Position < 5 && (before, after) is (0, 10) or (10, 0);
            return LocalGovernmentCode.IsValid(t.Changed) == blindSpot;
        }).QuickCheckThrowOnFailure();
        // 江東区 with its last code digit changed: caught.
        Assert.False(LocalGovernmentCode.IsValid("131093"));
    }

    [Fact]
    [Trait(Traits.Storage, "true")]
    public async Task A_municipality_code_typed_in_full_width_is_stored_in_ascii()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        await using var scope = app.Scope();
        var service = scope.ServiceProvider.GetRequiredService<MunicipalityService>();
        var m = await service.SetAsync("江東区", "１３１０８３", null, TestContext.Current.CancellationToken);
        Assert.Equal("131083", m.Code);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => service.SetAsync(null, "１３１０８４", null, TestContext.Current.CancellationToken));
        Assert.Contains("１３１０８４", e.Message);
    }
}
