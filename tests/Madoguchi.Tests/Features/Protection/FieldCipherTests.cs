using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Madoguchi.Web.Features.Protection;

namespace Madoguchi.Tests.Features.Protection;

public sealed class FieldCipherTests
{
    private static readonly KeyRing Ring = KeyRing.New(DateTimeOffset.UnixEpoch).Rotate(DateTimeOffset.UnixEpoch);
    private static readonly byte[] Purpose = FieldCipher.Purpose("Resident", "r1", "MyNumber");

    [Fact]
    public void A_value_round_trips_and_its_envelope_starts_with_the_version_and_the_key_id()
    {
        var envelope = FieldCipher.Encrypt(Ring.Current, "123456789018"u8, Purpose);

        Assert.Equal([1, 2, (byte)'k', (byte)'2'], envelope[..4]);
        Assert.Equal(4 + 12 + 16 + 12, envelope.Length);
        Assert.Equal("123456789018"u8.ToArray(), FieldCipher.Decrypt(Ring.Find, envelope, Purpose));
        // A fresh nonce each time: the same value never gives the same ciphertext.
        Assert.NotEqual(envelope, FieldCipher.Encrypt(Ring.Current, "123456789018"u8, Purpose));
    }

    [Fact]
    public void Any_single_changed_byte_or_another_purpose_fails_and_never_yields_other_data()
    {
        var gen = from value in ArbMap.Default.GeneratorFor<string>().Where(s => s is not null)
                  from position in Gen.Choose(0, 10_000)
                  from flip in Gen.Choose(1, 255)
                  select (value, position, (byte)flip);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (value, position, flip) = t;
            var envelope = FieldCipher.Encrypt(Ring.Current, Encoding.UTF8.GetBytes(value), Purpose);
            var tampered = (byte[])envelope.Clone();
            tampered[position % tampered.Length] ^= flip;
            return Throws(() => FieldCipher.Decrypt(Ring.Find, tampered, Purpose))
                && Throws(() => FieldCipher.Decrypt(Ring.Find, envelope, FieldCipher.Purpose("Resident", "r2", "MyNumber")))
                && Throws(() => FieldCipher.Decrypt(Ring.Find, envelope, FieldCipher.Purpose("Resident", "r1", "BankAccount")))
                && Encoding.UTF8.GetString(FieldCipher.Decrypt(Ring.Find, envelope, Purpose)) == value;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_truncated_envelope_or_an_unknown_key_is_a_clear_error()
    {
        var envelope = FieldCipher.Encrypt(Ring.Current, "x"u8, Purpose);

        Assert.Throws<ProtectedDataException>(() => FieldCipher.Decrypt(Ring.Find, envelope[..20], Purpose));
        var unknown = Assert.Throws<ProtectedDataException>(() => FieldCipher.Decrypt(_ => null, envelope, Purpose));
        Assert.Contains("鍵 k2 が鍵リングにありません", unknown.Message, StringComparison.Ordinal);
        // Purposes are length-prefixed: moving a separator between parts changes the purpose.
        Assert.NotEqual(FieldCipher.Purpose("a/b", "c"), FieldCipher.Purpose("a", "b/c"));
    }

    [Fact]
    public void A_key_export_opens_only_with_its_passphrase_and_unchanged()
    {
        var sealedRing = KeyExport.Seal(Ring, "じゅうぶんに長いパスフレーズ", DateTimeOffset.UnixEpoch);

        Assert.Equal(Ring.Fingerprint, KeyExport.Open(sealedRing, "じゅうぶんに長いパスフレーズ").Fingerprint);
        Assert.Throws<KeyRingException>(() => KeyExport.Open(sealedRing, "違うパスフレーズです。。"));
        var text = Encoding.UTF8.GetString(sealedRing);
        Assert.DoesNotContain(Convert.ToBase64String(Ring.Current.Material), text, StringComparison.Ordinal);
        var lowered = Encoding.UTF8.GetBytes(text.Replace("\"iterations\": 600000", "\"iterations\": 100000", StringComparison.Ordinal));
        Assert.Throws<KeyRingException>(() => KeyExport.Open(lowered, "じゅうぶんに長いパスフレーズ"));
        Assert.Throws<ArgumentException>(() => KeyExport.Seal(Ring, "short", DateTimeOffset.UnixEpoch));
    }

    private static bool Throws(Action a)
    {
        try
        {
            a();
            return false;
        }
        catch (ProtectedDataException)
        {
            return true;
        }
    }
}
