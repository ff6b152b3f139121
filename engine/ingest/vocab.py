"""The words real exports use: column names, event words and order statuses, in several languages.

These tables are data. ``tests/engine/test_vocab.py`` checks them for conflicts (one word, two
meanings) and checks that every status phrase listed here is read as its own meaning.
Column names are compared after ``normalize_name`` (lower case, no spaces or punctuation).
"""

from __future__ import annotations

import re

from engine.events import EVENT_TYPES


def normalize_name(name: str) -> str:
    """Lower-case a column name and drop spaces, underscores and punctuation.

    A RecBole-style type suffix (``user_id:token``, ``timestamp:float``) is dropped first.
    """
    text = strip_type_suffix(name.strip().lstrip("\ufeff")).lower()
    return re.sub(r"[\s_\-./()#:：（）°º'’\"]+", "", text)


_TYPE_SUFFIX = re.compile(r":(token|token_seq|float|float_seq|int|str|string)$", re.IGNORECASE)


def strip_type_suffix(name: str) -> str:
    """``user_id:token`` -> ``user_id`` (typed headers of recommender toolkits)."""
    return _TYPE_SUFFIX.sub("", name.strip())


#: Field -> column names that mean it, most specific first (normalized form).
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer": (
        "customerid", "customer", "userid", "user", "visitorid", "visitor", "memberid", "member",
        "clientid", "client", "buyerid", "buyer", "accountid", "shopperid",
        "customeremail", "email", "emailaddress", "buyeremail", "billingemail",
        "buyerusername", "username", "buyername", "userpseudoid", "householdkey", "household",
        "householdid", "account", "accountnumber", "customernumber", "customerno",
        "kundennr", "kundennummer", "kundenid", "kunde", "nclient", "numeroclient", "idclient",
        "cliente", "idcliente",
        "客户id", "客户", "客户编号", "用户id", "用户", "会员id", "会员", "顾客", "买家",
        "买家会员名", "买家昵称", "会员名", "买家id", "用户名",
    ),
    "time": (
        "eventtime", "timestamp", "time", "datetime", "invoicedate", "orderdate", "date",
        "createdat", "ts", "eventdate", "eventtimestamp", "ordercreatedat", "orderedat",
        "purchasedate", "transactiondate", "orderdatetime", "datum", "bestelldatum", "zeitpunkt",
        "fecha", "fechadepedido", "datedecommande", "dateheure", "creationdate",
        "时间", "日期", "行为时间", "下单时间", "时间戳", "发生时间", "订单创建时间", "创建时间",
        "订单付款时间", "付款时间", "支付时间",
    ),
    "event": (
        "eventtype", "event", "eventname", "behaviortype", "behaviourtype", "behavior",
        "behaviour", "action", "type", "interaction", "interactiontype", "aktion", "ereignis",
        "evenement", "événement", "typedevenement", "evento", "tipodeevento", "accion", "acción",
        "行为类型", "行为", "事件", "事件类型", "类型",
    ),
    "item": (
        "productid", "itemid", "item", "product", "sku", "stockcode", "aid", "articleid",
        "lineitemsku", "variantsku", "productsku", "itemsku", "skuid", "artikelnummer",
        "artikelnr", "artikel", "referenceproduit", "produit", "producto", "idproducto",
        "商品id", "商品", "商品编号", "产品", "产品id", "货号", "商品编码", "宝贝id", "商家编码",
    ),
    "category": (
        "categorycode", "category", "categoryid", "categoryname", "cat", "department",
        "producttype", "kategorie", "categorie", "catégorie", "categoria", "categoría",
        "类目", "类目id", "类别", "品类", "分类",
    ),
    "name": (
        "productname", "itemname", "name", "description", "title", "lineitemname",
        "producttitle", "itemtitle", "artikelname", "bezeichnung", "nomduproduit",
        "nombredelproducto",
        "商品名称", "名称", "商品名", "品名", "宝贝标题", "商品标题",
    ),
    "price": (
        "unitprice", "price", "lineitemprice", "itemprice", "productprice", "preis",
        "einzelpreis", "prix", "prixunitaire", "precio", "preciounitario",
        "单价", "价格", "售价", "商品单价", "宝贝单价",
    ),
    "quantity": (
        "quantity", "qty", "count", "units", "lineitemquantity", "itemquantity", "menge",
        "anzahl", "quantite", "quantité", "cantidad",
        "数量", "件数", "宝贝总数量", "购买数量", "商品数量",
    ),
    "amount": (
        "amount", "total", "linetotal", "revenue", "sales", "value", "salesvalue", "spend",
        "netsales", "grosssales", "paidamount", "amountpaid", "totalpaid", "ordertotal",
        "totalamount", "grandtotal", "orderamount", "lineamount", "betrag", "gesamtbetrag",
        "umsatz", "summe", "montant", "montanttotal", "totalttc", "importe", "importetotal",
        "金额", "总价", "实付金额", "实付", "销售额", "支付金额", "实收金额", "买家实际支付金额",
        "实际支付金额", "订单金额", "总金额",
    ),
    "session": (
        "sessionid", "session", "usersession", "invoiceno", "invoice", "orderid", "order",
        "transactionid", "ordernumber", "orderno", "ordername", "ordernr", "bestellnummer",
        "bestellnr", "numerodecommande", "commande", "reference", "référence", "pedido",
        "numerodepedido", "idpedido", "会话", "会话id", "订单号", "订单id", "订单编号",
    ),
    "query": (
        "searchquery", "query", "search", "keyword", "keywords", "searchterm", "searchterms",
        "suchbegriff", "recherche", "busqueda", "búsqueda", "搜索词", "关键词",
    ),
    "status": (
        "financialstatus", "paymentstatus", "orderstatus", "status", "transactionstatus",
        "etat", "état", "statut", "etatdelacommande", "estado", "estadodelpedido",
        "bestellstatus", "zahlungsstatus", "订单状态", "交易状态", "退款状态",
    ),
    "refund_amount": (
        "refundedamount", "refundamount", "amountrefunded", "refunded", "totalrefunded",
        "refundtotal", "erstattungsbetrag", "erstattet", "montantrembourse", "montantremboursé",
        "importereembolsado", "退款金额", "退款",
    ),
    "cancelled_at": (
        "cancelledat", "canceledat", "cancelleddate", "canceleddate", "cancellationdate",
        "cancelledon", "stornodatum", "storniertam", "dateannulation", "dateannulée",
        "fechadecancelacion", "取消时间",
    ),
}

#: When no column has one of the names above: name patterns (on the normalized name), tried in
#: order, for the names platforms invent ("Product Unit Price", "Buyer User ID",
#: "items.item_id", "Created Time"). The first pattern that matches an unused column wins.
COLUMN_PATTERNS: dict[str, tuple[str, ...]] = {
    "customer": (
        r"(buyer|customer|shopper|member|client|user|kunden?)(user)?(id|no|nr|number|key|code)$",
        r"(buyer|customer|billing)(email|mail|username|nickname)$",
    ),
    "time": (
        r"(order|created|creation|purchase|transaction|event)(date)?(time|date|at|datetime)$",
        r"(paid|payment)(time|date|at)$",
    ),
    "item": (r"(item|product|article|variant)s?(item)?(id|sku|code|no|nr)$", r"sku$"),
    "price": (r"(unit|item|product|sale|list)(price|cost)$", r"price(each|perunit|perpiece)?$",
              r"(item|unit)cost$"),
    "quantity": (r"(item|product|line)?(qty|quantity|units|menge|anzahl|quantite|cantidad)$",),
    "amount": (
        r"(line|item|product|row)(total|amount|subtotal)(price|amount)?$",
        r"total(price|amount|paid|value)?$",
        r"^(order)?(total|amount|sales|revenue)",
    ),
    "status": (r"(order|payment|financial|transaction)?status$",),
    "refund_amount": (r"refund(ed)?(amount|total|value)$",),
}

#: Raw event word -> canonical event (words are compared after ``normalize_name``).
EVENT_VOCABULARY: dict[str, tuple[str, ...]] = {
    "view": (
        "view", "views", "pv", "pageview", "detail", "productview", "viewitem", "viewitemlist",
        "selectitem", "viewed", "impression", "visit",
        "ansicht", "angesehen", "aufruf", "seitenaufruf", "vue", "consultation", "visite",
        "vista", "visita", "visto",
        "浏览", "查看", "访问",
    ),
    "click": ("click", "clicks", "klick", "clic", "点击"),
    "search": (
        "search", "searches", "query", "viewsearchresults", "suche", "suchen", "recherche",
        "busqueda", "búsqueda", "buscar", "搜索",
    ),
    "cart": (
        "cart", "carts", "addtocart", "addcart", "cartadd", "addtobasket", "basket",
        "warenkorb", "inwarenkorb", "indenwarenkorb", "panier", "ajoutaupanier", "ajoutpanier",
        "carrito", "añadiralcarrito", "anadiralcarrito", "alcarrito",
        "加购", "加入购物车", "购物车",
    ),
    "remove_cart": (
        "removefromcart", "removecart", "cartremove", "removefrombasket",
        "ausdemwarenkorb", "retirerdupanier", "eliminardelcarrito",
        "移除购物车", "删除购物车",
    ),
    "favorite": (
        "fav", "favorite", "favourite", "wishlist", "addtowishlist", "merkliste", "wunschliste",
        "favori", "favoris", "favorito", "favoritos", "收藏",
    ),
    "purchase": (
        "buy", "purchase", "purchases", "order", "orders", "transaction", "checkout", "paid",
        "pay", "sale", "kauf", "gekauft", "bestellung", "achat", "commande", "compra", "pedido",
        "购买", "下单", "支付", "成交", "付款",
    ),
    "refund": (
        "refund", "return", "returned", "cancel", "cancellation", "rückgabe", "ruckgabe",
        "erstattung", "remboursement", "retour", "reembolso", "devolucion", "devolución",
        "退款", "退货",
    ),
    "like": ("like", "likes", "点赞"),
    "comment": ("comment", "review", "评论", "评价"),
    "share": ("share", "分享"),
    # Steps of a checkout that did not end in a purchase: kept, but not counted as buying.
    "other": ("other", "begincheckout", "addpaymentinfo", "addshippinginfo", "其他"),
}

EVENT_WORDS: dict[str, str] = {}
for _event, _words in EVENT_VOCABULARY.items():
    for _w in _words:
        EVENT_WORDS[normalize_name(_w)] = _event
for _e in EVENT_TYPES:
    EVENT_WORDS.setdefault(normalize_name(_e), _e)


def canonical_event(raw: str) -> str | None:
    """The canonical event a raw word means, or None when unknown."""
    return EVENT_WORDS.get(normalize_name(raw))


#: What an order status means, checked in this order (the first rule that matches wins):
#: "purchase" (paid or done), "refund" (paid, then refunded: a purchase plus a refund),
#: "other" (cancelled, voided, never paid: not a purchase).
STATUS_RULES: tuple[tuple[str, str], ...] = (
    # Not paid yet (before "paid": "awaiting payment" must not read as paid).
    ("other", r"unpaid|not\s*paid|awaiting\s*payment|pending\s*payment|payment\s*pending"
              r"|waiting\s*for\s*payment|^pending\b|attente\s*d[eu]\s*(paiement|r[eè]glement)"
              r"|non\s*pay|impay|zahlung\s*ausstehend|nicht\s*bezahlt|zahlung\s*offen"
              r"|pendiente\s*de\s*pago|sin\s*pagar|no\s*pagad|等待买家付款|待付款|未付款|待支付|未支付"),
    # Partly refunded: still a purchase; the refund comes from the refunded-amount column.
    ("purchase", r"partial\w*\W*refund|teilweise\s*(erstattet|zurück)|teilerstatt"
                 r"|partiellement\s*rembours|remboursement\s*partiel|rembours\w*\s*partiel"
                 r"|parcialmente\s*reembols|reembolso\s*parcial|部分退款"),
    ("refund", r"refund|rembours|erstatt|zurückgezahlt|reembols|devuelt|returned|retourn"
               r"|退款|已退货|退货成功"),
    ("other", r"cancel|void|annul|storn|abgebrochen|anulad|fail|declin|abandon|expired"
              r"|reject|échou|echou|refus|erreur|error|fehlgeschlagen|abgelehnt|rechaz|取消|关闭|失败|作废"),
    ("purchase", r"paid|payé|paye\b|pagad|bezahlt|accept|complete|complet|termin|abgeschlossen"
                 r"|erledigt|shipped|shipment|deliver|fulfil|dispatch|versandt|versendet|verschickt"
                 r"|geliefert|zugestellt|enviad|entregad|livr|expédi|expedi|success|authori"
                 r"|processing|in\s*bearbeitung|procesando|préparation|preparation|preparación"
                 r"|confirm|bestätigt|成功|已付款|已支付|已发货|已签收|已完成|完成|确认收货|待发货"),
)
_STATUS_PATTERNS = tuple((meaning, re.compile(rx, re.IGNORECASE)) for meaning, rx in STATUS_RULES)


def status_meaning(word: str) -> str | None:
    """What an order status word means (purchase, refund or other), or None when unknown."""
    text = word.strip().lower().replace("_", " ")
    if not text:
        return None
    for meaning, rx in _STATUS_PATTERNS:
        if rx.search(text):
            return meaning
    return None
