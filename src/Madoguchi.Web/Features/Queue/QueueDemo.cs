using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Platform;

namespace Madoguchi.Web.Features.Queue;

/// <summary>
/// Counters of the demo: Koto's main office (住民記録係, 戸籍係, 証明係) and two branch offices. The demo
/// offices take tickets at any hour so that the demo works at night and on holidays.
/// </summary>
public static class QueueDemo
{
    private sealed record S(string Name, string NameEn, string Easy, int From, int To, string Steps, bool Remote);

    public static void Add(MadoguchiDbContext db, IReadOnlyList<Office> offices)
    {
        var main = offices.First(o => o.Kind == OfficeKind.MainOffice);
        main.TicketsAnyHour = true;
        (main.OverflowFrom, main.OverflowTo) = (9000, 9999);
        AddSection(db, main, 0, "住民記録係", "Resident records", "blue",
        [
            new("転入", "Moving in", "<ruby>引<rt>ひ</rt></ruby>っ<ruby>越<rt>こ</rt></ruby>して きた", 2000, 2299, "受付|審査|交付", false),
            new("転居・世帯変更", "Moving within the city / household change", "<ruby>区<rt>く</rt></ruby>の なかで <ruby>引<rt>ひ</rt></ruby>っ<ruby>越<rt>こ</rt></ruby>し", 2300, 2599, "受付|審査|交付", false),
            new("転出", "Moving out", "<ruby>区<rt>く</rt></ruby>の <ruby>外<rt>そと</rt></ruby>へ <ruby>引<rt>ひ</rt></ruby>っ<ruby>越<rt>こ</rt></ruby>す", 2600, 2799, "受付|交付", false),
            new("マイナカード保有者の転入・転居", "Moving in or within the city with a My Number Card", "マイナンバーカードを もっている <ruby>人<rt>ひと</rt></ruby>の <ruby>引<rt>ひ</rt></ruby>っ<ruby>越<rt>こ</rt></ruby>し", 2800, 2999, "受付|審査|交付", false),
        ]);
        AddSection(db, main, 1, "戸籍係", "Family register", "green",
        [
            new("戸籍の届出（出生・婚姻・死亡など）", "Family register notifications (birth, marriage, death)", "<ruby>生<rt>う</rt></ruby>まれた、<ruby>結婚<rt>けっこん</rt></ruby>した などの <ruby>届<rt>とど</rt></ruby>け", 1000, 1199, "受付|審査", false),
            new("戸籍証明書", "Family register certificates", "<ruby>戸籍<rt>こせき</rt></ruby>の <ruby>証明書<rt>しょうめいしょ</rt></ruby>", 1200, 1399, "受付|会計|交付", true),
        ]);
        AddSection(db, main, 2, "証明係", "Certificates", "orange",
        [
            new("住民票・印鑑登録証明書", "Residence and seal certificates", "<ruby>住民票<rt>じゅうみんひょう</rt></ruby>などの <ruby>証明書<rt>しょうめいしょ</rt></ruby>", 3000, 3299, "受付|会計|交付", true),
        ]);
        AddCounters(db, main, 8);

        foreach (var branch in offices.Where(o => o.Name is "豊洲出張所" or "亀戸出張所"))
        {
            branch.TicketsAnyHour = true;
            (branch.OverflowFrom, branch.OverflowTo) = (900, 999);
            AddSection(db, branch, 0, "窓口係", "Counter services", "blue",
            [
                new("転入・転居・転出", "Moving in, within or out", "<ruby>引<rt>ひ</rt></ruby>っ<ruby>越<rt>こ</rt></ruby>し", 100, 399, "受付|審査|交付", false),
                new("証明書の発行", "Certificates", "<ruby>証明書<rt>しょうめいしょ</rt></ruby>", 400, 699, "受付|会計|交付", true),
            ]);
            AddCounters(db, branch, 3);
        }
        Reservations.ReservationDemo.Add(db);
    }

    private static void AddSection(MadoguchiDbContext db, Office office, int order, string name, string nameEn, string colour, IReadOnlyList<S> services)
    {
        var section = new QueueSection { OfficeId = office.Id, Name = name, NameEn = nameEn, Colour = colour, SortOrder = order };
        db.QueueSections.Add(section);
        db.QueueServices.AddRange(services.Select((s, i) => new QueueService
        {
            OfficeId = office.Id,
            SectionId = section.Id,
            Name = s.Name,
            NameEn = s.NameEn,
            NameEasy = s.Easy,
            RangeFrom = s.From,
            RangeTo = s.To,
            Steps = s.Steps,
            RemoteTickets = s.Remote,
            SortOrder = i,
        }));
    }

    private static void AddCounters(MadoguchiDbContext db, Office office, int count)
        => db.QueueCounters.AddRange(Enumerable.Range(1, count).Select(n => new QueueCounter { OfficeId = office.Id, Number = n.ToString(System.Globalization.CultureInfo.InvariantCulture), Name = $"{n}番窓口", SortOrder = n }));
}
