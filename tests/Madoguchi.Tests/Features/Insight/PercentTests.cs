using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Platform;
using Madoguchi.Web.Shared;

namespace Madoguchi.Tests.Features.Insight;

public sealed class PercentTests
{
    // Small ints (FsCheck's default), the whole int range, and its edges.
    private static readonly Arbitrary<int> AnyInt = Arb.From(Gen.OneOf(
        ArbMap.Default.GeneratorFor<int>(), Gen.Choose(-int.MaxValue, int.MaxValue), Gen.Elements(int.MinValue, int.MaxValue, 0, 1, -1)));

    [Theory]
    [InlineData(9, 16, 56.3, 56.2)]          // 56.25: Math.Round's banker's rounding would give 56.2
    [InlineData(32268, 84037, 38.4, 38.3)]  // the audit prints 38.3 (truncated)
    [InlineData(231, 1906, 12.1, 12.1)]
    [InlineData(231, 3058, 7.6, 7.5)]
    [InlineData(26, 153, 17.0, 16.9)]
    [InlineData(96, 204, 47.1, 47.0)]
    [InlineData(147, 147, 100.0, 100.0)]
    [InlineData(0, 5, 0.0, 0.0)]
    public void Rates_round_half_up_or_truncate_from_integer_counts(long part, long whole, double halfUp, double truncated)
    {
        Assert.Equal((decimal)halfUp, Percent.Of(part, whole, RoundingMode.HalfUp));
        Assert.Equal((decimal)truncated, Percent.Of(part, whole, RoundingMode.Truncate));
    }

    [Fact]
    public void A_rate_of_nothing_is_null_and_shown_with_its_counts()
    {
        Assert.Null(Percent.Of(0, 0, RoundingMode.HalfUp));
        Assert.Null(Percent.Of(5, 0, RoundingMode.Truncate));
        Assert.Equal("12.1%（231/1,906）", Percent.WithCounts(231, 1906, RoundingMode.HalfUp));
        Assert.Equal("—（0/0）", Percent.WithCounts(0, 0, RoundingMode.HalfUp));
    }

    [Fact]
    public void Json_keeps_one_decimal_even_for_whole_percentages()
    {
        Assert.Equal("[100.0,0.0,83.3]", JsonSerializer.Serialize(new[] { Percent.Of(3, 3, RoundingMode.HalfUp), Percent.Of(0, 3, RoundingMode.HalfUp), Percent.Of(55, 66, RoundingMode.HalfUp) }, KpiJson.Options).Replace("\n", "").Replace(" ", ""));
    }

    [Fact]
    public void Half_up_matches_exact_decimal_arithmetic_for_all_int_pairs()
    {
        Prop.ForAll(AnyInt, AnyInt, (part, whole) =>
        {
            if (whole == 0) return Percent.Of(part, whole, RoundingMode.HalfUp) is null;
            var exact = (decimal)part * 100 / whole;
            return Percent.Of(part, whole, RoundingMode.HalfUp) == Math.Round(exact, 1, MidpointRounding.AwayFromZero)
                   && Percent.Of(part, whole, RoundingMode.Truncate) == Math.Round(exact, 1, MidpointRounding.ToZero);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Truncation_never_exceeds_half_up()
    {
        Prop.ForAll(AnyInt, AnyInt, (part, whole) =>
            whole == 0 || Math.Abs(Percent.Of(part, whole, RoundingMode.Truncate)!.Value) <= Math.Abs(Percent.Of(part, whole, RoundingMode.HalfUp)!.Value))
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Never_throws_even_for_extreme_longs()
    {
        Prop.ForAll<long, long>((part, whole) =>
        {
            _ = Percent.Of(part, whole, RoundingMode.HalfUp);
            _ = Percent.Of(part, whole, RoundingMode.Truncate);
            _ = Percent.WithCounts(part, whole, RoundingMode.HalfUp);
            return true;
        }).QuickCheckThrowOnFailure();
        Assert.NotNull(Percent.Of(long.MaxValue, 1, RoundingMode.HalfUp));
        Assert.NotNull(Percent.Of(long.MinValue, -1, RoundingMode.Truncate));
    }
}
