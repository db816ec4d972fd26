using FsCheck;
using FsCheck.Fluent;

namespace Madoguchi.Tests.Shared.Japanese;

/// <summary>Strings that hit the edges of the Japanese validators, besides FsCheck's own strings.</summary>
internal static class Generators
{
    // Kana of every kind, voiced marks alone, digits of several scripts, spaces, and lone surrogates.
    private const string Interesting =
        "あぁかがゔゝゞアァカガヴヵヶヽヾーｰ･ｱｧｶｳﾊﾞﾟ゛゜\u3099\u309A・　 \t0123456789０１２３４５６７８９٠١٢-－‐ー山葛\uDB40\uDD00\uD842\uDFB7\uD800\uDC00x";

    public static Arbitrary<string> Nasty { get; } = Gen.OneOf(
            Gen.Elements(Interesting.ToCharArray()),
            Gen.Choose(0, 0xFFFF).Select(i => (char)i))
        .ArrayOf()
        .Select(chars => new string(chars))
        .ToArbitrary();

    public static Arbitrary<string> Any { get; } = ArbMap.Default.ArbFor<string>();

    /// <summary>For totality properties: more cases than QuickCheck's 100, still well under a second.</summary>
    public static Config Thorough { get; } = Config.QuickThrowOnFailure.WithMaxTest(2000);

    /// <summary>n random ASCII digits.</summary>
    public static Gen<string> Digits(int n) => Gen.Choose(0, 9).ArrayOf(n).Select(a => string.Concat(a));
}
