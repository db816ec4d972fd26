using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Madoguchi.Web.Features.Postcodes;

/// <summary>
/// One address of Japan Post's postcode data (KEN_ALL): a postcode may have several rows (one per
/// 町域). Town names hold no parenthesised note — the note (丁目 and 番地 ranges, a building's floor,
/// 次のビルを除く) is kept apart in <see cref="Note"/> so that autofill writes only the town.
/// Kana are full-width katakana as Japan Post spells them (large kana for small: ｼﾞﾕｳｶﾞｵｶ).
/// </summary>
public sealed class Postcode
{
    public int Id { get; set; }
    /// <summary>7 ASCII digits, no hyphen.</summary>
    public string Code { get; set; } = "";
    /// <summary>JIS X 0402 code of the municipality (5 digits, 全国地方公共団体コード without its check digit).</summary>
    public string CityCode { get; set; } = "";
    public string Prefecture { get; set; } = "";
    public string City { get; set; } = "";
    /// <summary>Empty when Japan Post lists no town ("以下に掲載がない場合", "…の次に番地がくる場合", "…一円").</summary>
    public string Town { get; set; } = "";
    public string PrefectureKana { get; set; } = "";
    public string CityKana { get; set; } = "";
    public string TownKana { get; set; } = "";
    /// <summary>Japan Post's note in parentheses, without them ("１～１９番地", "１階"); empty when none.</summary>
    public string Note { get; set; } = "";

    internal static void Configure(EntityTypeBuilder<Postcode> e)
    {
        e.Property(x => x.Code).HasMaxLength(7);
        e.Property(x => x.CityCode).HasMaxLength(5);
        e.Property(x => x.Prefecture).HasMaxLength(10);
        e.Property(x => x.City).HasMaxLength(50);
        e.Property(x => x.Town).HasMaxLength(200);
        e.Property(x => x.PrefectureKana).HasMaxLength(20);
        e.Property(x => x.CityKana).HasMaxLength(100);
        e.Property(x => x.TownKana).HasMaxLength(400);
        e.Property(x => x.Note).HasMaxLength(1000);
        e.HasIndex(x => x.Code);
    }
}
