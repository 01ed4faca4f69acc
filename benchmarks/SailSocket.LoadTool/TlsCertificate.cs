using System.Net;
using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SailSocket.LoadTool;

/// <summary>
/// <c>--tls</c>: a throwaway self-signed certificate made for one run (ECDSA P-256, SAN IP 127.0.0.1 and DNS localhost,
/// valid for one day), its certificate and private key written as PEM into a fresh temporary folder for the lifted
/// server (<c>TLS_CERT</c>, <c>TLS_KEY</c>) and the Node client (<c>--ca</c>). Every .NET client trusts exactly this
/// certificate through <see cref="Validate"/>. Disposing deletes the folder.
/// </summary>
internal sealed class TlsCertificate : IDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly PosixSignalRegistration[] _signals;
    private int _disposed;

    private TlsCertificate(X509Certificate2 certificate, string directory)
    {
        _certificate = certificate;
        Directory = directory;
        CertificatePath = Path.Combine(directory, "cert.pem");
        KeyPath = Path.Combine(directory, "key.pem");

        // A run ended by Ctrl+C or a kill (SIGTERM) does not reach the caller's Dispose (the lifted server exits by
        // itself when its standard input closes); the folder goes first, then the signal's default action ends the run.
        _signals = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>The temporary folder holding both PEM files (owner-only on Unix).</summary>
    public string Directory { get; }

    /// <summary>The certificate, PEM.</summary>
    public string CertificatePath { get; }

    /// <summary>The private key, PKCS#8 PEM.</summary>
    public string KeyPath { get; }

    /// <summary>Makes the certificate and writes both PEM files into a new temporary folder.</summary>
    public static TlsCertificate Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // server authentication
        var now = DateTimeOffset.UtcNow;
        using var withKey = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        // Created 0700 on Unix: the key is readable by this user only.
        var directory = System.IO.Directory.CreateTempSubdirectory("sailsocket-loadtool-tls-").FullName;
        var created = new TlsCertificate(X509CertificateLoader.LoadCertificate(withKey.RawData), directory);
        try
        {
            File.WriteAllText(created.CertificatePath, withKey.ExportCertificatePem());
            File.WriteAllText(created.KeyPath, key.ExportPkcs8PrivateKeyPem());
            return created;
        }
        catch
        {
            created.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The pin, a <see cref="RemoteCertificateValidationCallback"/>: accepts the presented certificate only when it is
    /// byte for byte this run's and the only complaint is the chain (self-signed, so untrusted by the system). Never
    /// "accept everything": a name mismatch or any other certificate fails the handshake.
    /// </summary>
    /// <remarks>
    /// The presented certificate's DER comes from <c>Export(X509ContentType.Cert)</c>, a copy for this call: its
    /// <c>GetRawCertData()</c>, <c>RawData</c> or <c>GetCertHash()</c> would cache the DER (357 bytes here) in that
    /// certificate, which the connection's <c>SslStream</c> keeps for the connection's life, so every idle wss socket of a
    /// run weighed 380 bytes more (docs/benchmarks.md, "Issue 18: a leaner wss socket").
    /// </remarks>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        certificate is not null
        && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
        && certificate.Export(X509ContentType.Cert).AsSpan().SequenceEqual(_certificate.RawDataMemory.Span);

    /// <summary>Deletes the folder and both files; safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var signal in _signals)
        {
            signal.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"--tls: could not delete {Directory}: {ex.Message}");
        }

        _certificate.Dispose();
    }

    private void OnSignal(PosixSignalContext context) => Dispose();
}
