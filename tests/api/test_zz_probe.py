"""probe"""
import io, time
from .rosters import PEOPLE_HEADER, EQUIPMENT_HEADER, csv_bytes, upload

def show(tag, r):
    body = r.get_data(as_text=True)
    print("###", tag, r.status_code, body[:300].replace("\n"," "))

def test_probe(client, world, session, make):
    H = world.headers
    for actor in ["other_admin", "manager", "instructor", "student", "operator"]:
        show("resend by "+actor, client.post(f"/api/v1/users/{world.users['student'].id}/invitation", headers=H(actor)))
    eq = f"/api/v1/organisations/{world.school.id}/imports/equipment"
    for actor in ["enterprise_staff", "manager", "other_admin", "instructor", "operator"]:
        show("eq import by "+actor, upload(client, eq, csv_bytes(EQUIPMENT_HEADER, []), H(actor)))
    pp = f"/api/v1/organisations/{world.enterprise.id}/imports/people"
    show("ppl import by staff", upload(client, pp, csv_bytes(PEOPLE_HEADER, []), H("enterprise_staff")))
    show("ppl import by operator", upload(client, pp, csv_bytes(PEOPLE_HEADER, []), H("operator")))
    # disabled user reset
    d = make.user("student", world.school); d.is_active = False; session.commit()
    def t(email, n=8):
        xs = []
        for i in range(n):
            s = time.monotonic(); r = client.post("/api/v1/auth/password-reset", json={"email": email}, environ_base={"REMOTE_ADDR": f"10.0.{i}.{len(email)}"}); xs.append(time.monotonic()-s)
            assert r.status_code in (202, 429)
        return sorted(xs)[n//2]
    known = [make.user("student", world.school).email for _ in range(3)]
    session.commit()
    print("### timing known", [round(t(e, 3)*1000,1) for e in known])
    print("### timing unknown", [round(t(f"nobody{i}@x.example", 3)*1000,1) for i in range(3)])
    print("### timing disabled", round(t(d.email, 3)*1000,1))
    show("reset disabled headers", client.post("/api/v1/auth/password-reset", json={"email": "zz"+d.email}))
    show("reset bad email", client.post("/api/v1/auth/password-reset", json={"email": "not an email"}))
    show("reset huge email", client.post("/api/v1/auth/password-reset", json={"email": "a"*5000+"@x.example"}))
