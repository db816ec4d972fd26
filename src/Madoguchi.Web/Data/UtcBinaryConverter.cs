using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Madoguchi.Web.Data;

/// <summary>
/// How SQLite stores an instant: EF Core's binary layout (ticks / 1000 shifted left by 11, the offset
/// in minutes in the low 11 bits), always written at offset 0, so that the integers order as the
/// instants do. EF's own <see cref="DateTimeOffsetToBinaryConverter"/> writes the clock time of the
/// value's offset: a 受付日 keyed as 00:00 +09:00 sorted nine hours late among cases received at offset
/// 0, and a keyset cursor skipped cases. Reading still honours an offset, so rows written before the
/// change read the same until the migration that rewrites them (NormalizeInstantsToUtc) has run.
/// </summary>
public sealed class UtcBinaryConverter() : ValueConverter<DateTimeOffset, long>(v => ToBinary(v), v => FromBinary(v))
{
    private static readonly DateTimeOffsetToBinaryConverter Layout = new();

    public static long ToBinary(DateTimeOffset value) => (long)Layout.ConvertToProvider(value.ToUniversalTime())!;

    public static DateTimeOffset FromBinary(long value) => (DateTimeOffset)Layout.ConvertFromProvider(value)!;
}
