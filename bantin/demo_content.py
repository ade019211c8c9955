"""Demo content written for Bantin (fictional office; no text copied from real sites)."""

from __future__ import annotations

SITE = {
    "site_name": "Cổng thông tin xã Hòa Phong",
    "tagline": "Bản tin của chính quyền và nhân dân xã Hòa Phong, huyện Thăng Bình Tây",
    "owner": "UBND xã Hòa Phong",
    "managing_body": "Ủy ban nhân dân xã Hòa Phong, huyện Thăng Bình Tây",
    "address": "Thôn Phú Lộc, xã Hòa Phong, huyện Thăng Bình Tây",
    "phone": "0235 3 000 000",
    "email": "vanphong@hoaphong.example.org",
    "credit_line": "Phát triển bởi Bantin",
}

CATEGORIES = [
    {
        "key": "tin-tuc",
        "name": "Tin tức - Sự kiện",
        "description": "Hoạt động của chính quyền, các đoàn thể và những sự kiện nổi bật trên địa bàn xã.",
    },
    {
        "key": "kinh-te",
        "name": "Kinh tế - Nông nghiệp",
        "description": "Sản xuất nông nghiệp, giao thông nông thôn, xây dựng nông thôn mới và phát triển kinh tế hộ.",
    },
    {
        "key": "van-hoa-xa-hoi",
        "name": "Văn hóa - Xã hội",
        "description": "Giáo dục, y tế, văn hóa, thể thao, thanh niên và các hoạt động cộng đồng ở thôn xóm.",
    },
    {
        "key": "cai-cach-hanh-chinh",
        "name": "Cải cách hành chính",
        "description": "Thủ tục hành chính, dịch vụ công trực tuyến và chuyển đổi số ở cơ sở.",
    },
    {
        "key": "thong-bao",
        "name": "Thông báo",
        "description": "Thông báo, kế hoạch công tác và lịch tiếp công dân của UBND xã.",
    },
]

WEB_LINKS = [
    {"title": "Cổng thông tin huyện Thăng Bình Tây", "url": "https://thangbinhtay.example.org"},
    {"title": "Cổng dịch vụ công trực tuyến", "url": "https://dichvucong.example.net"},
    {"title": "Dự báo thời tiết và cảnh báo thiên tai", "url": "https://thoitiet.example.com"},
    {"title": "Thư viện văn bản pháp luật", "url": "https://vanban.example.org"},
    {"title": "Hợp tác xã nông nghiệp Hòa Phong", "url": "https://htx-hoaphong.example.com"},
]

ARTICLES = [
    # 0
    {
        "category": "tin-tuc",
        "title": "Hội nghị sơ kết sáu tháng: Hòa Phong đạt nhiều chỉ tiêu kinh tế, xã hội",
        "author": "Minh Tâm",
        "lead": (
            "Sáng nay, UBND xã Hòa Phong tổ chức hội nghị sơ kết công tác sáu tháng đầu năm, "
            "đánh giá kết quả thực hiện các chỉ tiêu và thống nhất những nhiệm vụ trọng tâm "
            "cho các tháng cuối năm."
        ),
        "paragraphs": [
            "Tham dự hội nghị có đại diện Thường trực Đảng ủy, HĐND xã, lãnh đạo các ban, ngành, "
            "đoàn thể, trưởng thôn và bí thư chi bộ của sáu thôn trên địa bàn. Ông Nguyễn Văn Khải, "
            "Chủ tịch UBND xã, chủ trì hội nghị và đề nghị các đại biểu thẳng thắn chỉ ra những việc "
            "đã làm được, những việc còn chậm để cùng tìm cách tháo gỡ.",
            "Theo báo cáo của Văn phòng HĐND và UBND xã, sáu tháng qua tổng giá trị sản xuất trên địa "
            "bàn ước tăng khoảng 7% so với cùng kỳ. Vụ Đông Xuân thắng lợi với năng suất lúa bình quân "
            "gần 62 tạ/ha; đàn gia súc, gia cầm phát triển ổn định, không xảy ra dịch bệnh lớn. Thu "
            "ngân sách trên địa bàn đạt hơn 55% dự toán cả năm.",
            "Bên cạnh kết quả đạt được, hội nghị cũng nhìn nhận một số hạn chế: tiến độ giải ngân vốn "
            "đầu tư công ở một vài công trình còn chậm, việc thu gom rác thải tại thôn An Mỹ chưa thật "
            "sự nền nếp, tỷ lệ hồ sơ nộp trực tuyến tuy tăng nhưng chưa đồng đều giữa các thôn.",
            "Phát biểu kết luận, Chủ tịch UBND xã yêu cầu các bộ phận chuyên môn bám sát kế hoạch, ưu "
            "tiên hoàn thành tuyến đường giao thông nông thôn ở thôn Phú Lộc trước mùa mưa, chủ động "
            "phương án phòng chống thiên tai và chuẩn bị tốt các điều kiện cho năm học mới.",
            "Dịp này, UBND xã đã tặng giấy khen cho năm tập thể và mười hai cá nhân có thành tích xuất "
            "sắc trong phong trào thi đua sáu tháng đầu năm, trong đó có nhiều người dân tự nguyện hiến "
            "đất, góp công làm đường và giữ gìn vệ sinh môi trường ở khu dân cư.",
        ],
        "image_caption": "Quang cảnh hội nghị sơ kết công tác sáu tháng đầu năm tại hội trường UBND xã Hòa Phong.",
        "image_alt": "Đại biểu dự hội nghị tại hội trường xã",
        "image_color": (38, 70, 83),
        "subheading": "Nhiều việc cần tập trung trong sáu tháng cuối năm",
        "days_ago": 0.4,
        "featured": True,
        "allow_comments": True,
        "views": 340,
        "status": "published",
    },
    # 1
    {
        "category": "tin-tuc",
        "title": "Phong trào “Dân vận khéo” giúp thôn Phú Lộc hoàn thành mở rộng đường làng",
        "author": "Thu Hà - Văn phòng",
        "lead": (
            "Nhờ cách vận động gần gũi, bàn bạc công khai với từng hộ, hơn 40 gia đình ở thôn Phú Lộc "
            "đã tự nguyện hiến đất, tháo dỡ tường rào để mở rộng tuyến đường làng dài gần một cây số."
        ),
        "paragraphs": [
            "Tuyến đường chạy qua xóm Giữa của thôn Phú Lộc trước đây chỉ rộng chừng hai mét, hai bên "
            "là tường rào và cây cối lấn ra sát mép. Mỗi mùa thu hoạch, xe chở lúa không vào được, bà "
            "con phải gánh bộ ra tận đường lớn. Chuyện mở rộng đường được nhắc đến nhiều năm nhưng vẫn "
            "chưa thực hiện được vì vướng mặt bằng.",
            "Đầu năm nay, Ban Dân vận Đảng ủy xã phối hợp với Ban công tác Mặt trận thôn chọn cách làm "
            "mới: không họp dân đại trà mà chia thành từng nhóm hộ liền kề, mời cán bộ thôn và người cao "
            "tuổi có uy tín cùng đến từng nhà trò chuyện. Mọi khoản đóng góp, phương án thi công đều được "
            "niêm yết công khai tại nhà văn hóa thôn.",
            "Gia đình ông Trần Văn Lành, bí thư chi bộ thôn, là hộ đầu tiên tháo dỡ gần mười lăm mét "
            "tường rào và chặt bỏ hàng cau trước ngõ. “Mình là người vận động thì phải làm trước, bà con "
            "thấy vậy mới tin”, ông Lành chia sẻ. Chỉ sau hơn một tháng, toàn bộ 43 hộ dọc tuyến đều "
            "đồng thuận.",
            "Tổng cộng người dân đã hiến gần 900 mét vuông đất, góp hơn 600 ngày công và khoảng 120 "
            "triệu đồng. Phần xi măng được hỗ trợ từ chương trình bê tông hóa đường giao thông nông thôn "
            "của huyện Thăng Bình Tây. Mặt đường sau khi hoàn thành rộng ba mét rưỡi, có rãnh thoát nước "
            "ở hai bên.",
            "Theo Trưởng ban Dân vận Đảng ủy xã, kinh nghiệm rút ra từ Phú Lộc là phải lắng nghe, tôn "
            "trọng ý kiến của từng hộ và giải quyết thấu đáo cả những băn khoăn nhỏ nhất. Mô hình sẽ được "
            "nhân rộng ra các thôn còn lại trong thời gian tới, gắn với phong trào xây dựng khu dân cư "
            "kiểu mẫu.",
        ],
        "image_caption": "Người dân thôn Phú Lộc cùng đoàn viên thanh niên đổ bê tông mặt đường xóm Giữa.",
        "image_alt": "Người dân cùng làm đường bê tông ở thôn Phú Lộc",
        "image_color": (46, 94, 78),
        "subheading": "Cán bộ đi trước, dân làm theo",
        "days_ago": 1.2,
        "featured": True,
        "allow_comments": True,
        "views": 1280,
        "status": "published",
    },
    # 2
    {
        "category": "kinh-te",
        "title": "Đường giao thông nông thôn nối thôn An Mỹ với trung tâm xã chính thức thông xe",
        "author": "Quốc Bảo",
        "lead": (
            "Sau gần năm tháng thi công, tuyến đường bê tông dài 2,1 km nối thôn An Mỹ với trung tâm xã "
            "Hòa Phong đã hoàn thành và đưa vào sử dụng, đáp ứng mong mỏi bấy lâu của hàng trăm hộ dân."
        ),
        "paragraphs": [
            "Công trình có tổng mức đầu tư khoảng 4,6 tỷ đồng, từ nguồn ngân sách huyện Thăng Bình Tây, "
            "ngân sách xã và sự đóng góp của nhân dân. Mặt đường rộng 3,5 mét, lề mỗi bên nửa mét, kết "
            "cấu bê tông xi măng dày 18 cm; dọc tuyến có ba cống thoát nước ngang được xây mới để tránh "
            "ngập úng vào mùa mưa.",
            "Trước khi có tuyến đường mới, người dân An Mỹ ra chợ xã hay đưa con đến trường phải đi vòng "
            "qua đường đất dài hơn bốn cây số, trời mưa thì lầy lội, trơn trượt. Nhiều hộ trồng rau, nuôi "
            "gà muốn đưa sản phẩm đi bán cũng gặp khó vì xe tải nhỏ không vào được.",
            "Ngay từ khi khởi công, Ban giám sát đầu tư của cộng đồng thôn An Mỹ đã cử người theo dõi "
            "thường xuyên, kiểm tra mác bê tông, độ dày mặt đường và ghi nhật ký hằng ngày. Những ý kiến "
            "góp ý của người dân về vị trí đặt cống, độ dốc lối rẽ vào xóm đều được đơn vị thi công tiếp "
            "thu, điều chỉnh kịp thời.",
            "Bà Lê Thị Hoa, một người dân sống ở đầu tuyến, vui vẻ cho biết: “Giờ chạy xe máy ra chợ chỉ "
            "mất chừng mười phút, tụi nhỏ đi học cũng an toàn hơn nhiều. Bà con ai cũng mừng, tự nhắc "
            "nhau giữ gìn con đường cho sạch đẹp”.",
            "Theo UBND xã, sau khi thông xe, thôn An Mỹ sẽ phát động trồng cây xanh và hoa dọc hai bên "
            "đường, đồng thời lắp đặt đèn chiếu sáng dùng năng lượng mặt trời. Đây là một trong những "
            "công trình quan trọng giúp xã hoàn thiện tiêu chí giao thông trong bộ tiêu chí nông thôn mới "
            "nâng cao.",
        ],
        "image_caption": "Tuyến đường bê tông mới nối thôn An Mỹ với trung tâm xã Hòa Phong trong ngày thông xe.",
        "image_alt": "Con đường bê tông mới giữa cánh đồng lúa",
        "image_color": (52, 73, 94),
        "subheading": "Giám sát cộng đồng từ ngày khởi công",
        "days_ago": 2.5,
        "featured": True,
        "allow_comments": True,
        "views": 2150,
        "status": "published",
    },
    # 3
    {
        "category": "kinh-te",
        "title": "Nông dân Hòa Phong xuống giống vụ Hè Thu đúng lịch, ưu tiên giống lúa ngắn ngày",
        "author": "Văn Hùng",
        "lead": (
            "Tận dụng nguồn nước tưới thuận lợi, đến nay nông dân xã Hòa Phong đã gieo sạ xong hơn 310 ha "
            "lúa vụ Hè Thu, bảo đảm đúng khung lịch thời vụ do ngành nông nghiệp huyện khuyến cáo."
        ),
        "paragraphs": [
            "Ngay sau khi thu hoạch vụ Đông Xuân, Hợp tác xã nông nghiệp Hòa Phong đã phối hợp với các "
            "thôn tổ chức làm đất, vệ sinh đồng ruộng và nạo vét kênh mương nội đồng. Nhờ chuẩn bị chu "
            "đáo, việc gieo sạ tại các cánh đồng lớn như xứ đồng Bàu Phổ, đồng Cây Gạo diễn ra gọn trong "
            "khoảng mười ngày.",
            "Năm nay, xã khuyến cáo bà con sử dụng các giống lúa ngắn ngày, chịu hạn khá, thời gian sinh "
            "trưởng từ 95 đến 100 ngày để kịp thu hoạch trước mùa mưa bão. Hơn 85% diện tích được gieo "
            "bằng giống xác nhận, phần còn lại là giống nông dân tự để nhưng đã được cán bộ khuyến nông "
            "kiểm tra chất lượng.",
            "Cán bộ khuyến nông xã lưu ý, thời tiết nắng nóng xen kẽ mưa rào dễ phát sinh bọ trĩ, rầy nâu "
            "và chuột hại lúa non. Bà con cần thăm đồng thường xuyên, bón phân cân đối, không bón thừa đạm "
            "và chỉ sử dụng thuốc bảo vệ thực vật khi mật độ sâu bệnh vượt ngưỡng, theo nguyên tắc bốn đúng.",
            "Để tiết kiệm nước, Hợp tác xã đã xây dựng lịch bơm tưới luân phiên cho từng vùng, thông báo "
            "trên loa truyền thanh và nhóm tin nhắn của các thôn. Ở những chân ruộng cao khó tưới, nông dân "
            "được vận động chuyển sang trồng đậu, bắp và rau màu ngắn ngày, vừa giảm áp lực nguồn nước vừa "
            "tăng thu nhập.",
            "Ông Phạm Văn Tư, nông dân thôn Phú Lộc, cho biết gia đình đã gieo xong hai sào lúa và một sào "
            "đậu xanh. “Mấy năm nay làm theo lịch của xã, lúa ít bị sâu bệnh hơn, thu hoạch cũng kịp trước "
            "mưa nên bà con yên tâm lắm”, ông nói.",
        ],
        "image_caption": "Nông dân thôn Phú Lộc chăm sóc lúa Hè Thu mới gieo sạ trên xứ đồng Bàu Phổ.",
        "image_alt": "Nông dân làm cỏ trên ruộng lúa non",
        "image_color": (60, 90, 50),
        "subheading": "Chú ý phòng trừ sâu bệnh giai đoạn đầu vụ",
        "days_ago": 4.0,
        "featured": False,
        "allow_comments": True,
        "views": 415,
        "status": "published",
    },
    # 4
    {
        "category": "kinh-te",
        "title": "Hòa Phong rà soát các tiêu chí nông thôn mới nâng cao, tập trung chỉnh trang cảnh quan",
        "author": "Ngọc Ánh",
        "lead": (
            "Ban Chỉ đạo xây dựng nông thôn mới xã Hòa Phong vừa rà soát toàn bộ các tiêu chí nông thôn "
            "mới nâng cao, xác định rõ những phần việc còn thiếu và phân công cụ thể cho từng ban, ngành, "
            "từng thôn."
        ),
        "paragraphs": [
            "Kết quả rà soát cho thấy xã đã cơ bản đạt nhiều tiêu chí quan trọng như quy hoạch, thủy lợi, "
            "điện, trường học, thông tin và truyền thông. Tuy nhiên, một số tiêu chí như môi trường và an "
            "toàn thực phẩm, cảnh quan khu dân cư, thu nhập bình quân đầu người vẫn cần tiếp tục đầu tư "
            "để đạt mức yêu cầu.",
            "Trong lĩnh vực môi trường, xã đặt mục tiêu đến cuối năm có ít nhất 90% hộ gia đình phân loại "
            "rác tại nguồn, mỗi thôn có điểm tập kết rác hợp vệ sinh. Các chi hội phụ nữ được giao vận "
            "động hội viên làm hố ủ phân hữu cơ từ rác thải nhà bếp để bón cho vườn rau gia đình.",
            "Một điểm mới trong kế hoạch năm nay là mỗi thôn đăng ký ít nhất một tuyến đường kiểu mẫu: "
            "sáng, xanh, sạch, đẹp. Người dân dọc tuyến tự trồng hàng rào xanh, chăm sóc bồn hoa trước "
            "ngõ và luân phiên quét dọn vào sáng Chủ nhật hằng tuần. Thôn Phú Lộc và thôn An Mỹ đã đăng "
            "ký thực hiện trước.",
            "Về phát triển kinh tế, xã tiếp tục hỗ trợ các tổ hợp tác trồng rau an toàn, nuôi bò vỗ béo "
            "và làm nón lá truyền thống tham gia chương trình mỗi xã một sản phẩm. Hợp tác xã nông nghiệp "
            "đang hoàn thiện hồ sơ đề nghị công nhận sản phẩm gạo sạch Hòa Phong đạt chuẩn ba sao.",
            "Phó Chủ tịch UBND xã Đỗ Thị Mai nhấn mạnh, xây dựng nông thôn mới nâng cao không chỉ là "
            "chuyện công trình, mà quan trọng hơn là nâng chất lượng cuộc sống, giữ gìn nếp sống văn minh, "
            "hài hòa giữa phát triển và bảo vệ môi trường. Mọi khoản huy động từ người dân đều phải được "
            "bàn bạc dân chủ, công khai.",
        ],
        "image_caption": "Tuyến đường hoa kiểu mẫu do người dân thôn An Mỹ tự trồng và chăm sóc.",
        "image_alt": "Hàng hoa hai bên đường làng",
        "image_color": (90, 60, 80),
        "subheading": "Mỗi thôn một tuyến đường kiểu mẫu",
        "days_ago": 6.5,
        "featured": False,
        "allow_comments": True,
        "views": 268,
        "status": "published",
    },
    # 5
    {
        "category": "van-hoa-xa-hoi",
        "title": "Trạm Y tế xã Hòa Phong triển khai đợt tiêm chủng bổ sung cho trẻ dưới năm tuổi",
        "author": "Bảo Ngọc - Trạm Y tế",
        "lead": (
            "Trạm Y tế xã Hòa Phong đang tổ chức đợt tiêm chủng bổ sung vắc xin sởi - rubella và một số "
            "vắc xin trong chương trình tiêm chủng mở rộng cho trẻ dưới năm tuổi chưa tiêm đủ mũi theo lịch."
        ),
        "paragraphs": [
            "Qua rà soát sổ theo dõi tiêm chủng, Trạm Y tế xác định trên địa bàn xã có khoảng 65 trẻ chưa "
            "tiêm hoặc tiêm chưa đủ mũi vắc xin sởi - rubella, bạch hầu - ho gà - uốn ván. Nguyên nhân chủ "
            "yếu là trẻ bị ốm đúng đợt tiêm, hoặc gia đình đi làm ăn xa rồi mới chuyển về địa phương.",
            "Buổi tiêm được tổ chức vào sáng thứ Ba và thứ Năm hằng tuần tại Trạm Y tế xã, liên tục trong "
            "hai tuần. Riêng thôn An Mỹ ở xa trung tâm, trạm bố trí thêm một điểm tiêm tại nhà văn hóa thôn "
            "để phụ huynh thuận tiện đưa trẻ đến. Tất cả các mũi tiêm trong chương trình đều miễn phí.",
            "Mỗi trẻ đều được khám sàng lọc, đo nhiệt độ và hỏi tiền sử dị ứng trước khi tiêm. Sau tiêm, "
            "trẻ được theo dõi tại chỗ ít nhất 30 phút; phụ huynh được hướng dẫn tiếp tục quan sát tại nhà "
            "trong 24 giờ, nếu thấy trẻ sốt cao, quấy khóc kéo dài hoặc phát ban thì đưa ngay đến cơ sở y "
            "tế gần nhất.",
            "Y sĩ Nguyễn Thị Thanh Hương, Trưởng Trạm Y tế xã, cho biết các cộng tác viên dân số, y tế thôn "
            "đã đến từng nhà gửi giấy hẹn và nhắc lịch. Trạm cũng phối hợp với đài truyền thanh xã phát "
            "thông tin hằng ngày để phổ biến rộng rãi đến người dân.",
            "Trạm Y tế khuyến cáo phụ huynh mang theo sổ tiêm chủng hoặc mở sổ sức khỏe điện tử trên điện "
            "thoại khi đưa trẻ đi tiêm. Trường hợp trẻ đang ốm sẽ được hẹn tiêm lại vào buổi gần nhất, bảo "
            "đảm không bỏ sót trẻ nào trong diện cần tiêm.",
        ],
        "image_caption": "Nhân viên Trạm Y tế xã khám sàng lọc cho trẻ trước khi tiêm tại nhà văn hóa thôn An Mỹ.",
        "image_alt": "Nhân viên y tế khám cho trẻ nhỏ",
        "image_color": (30, 95, 116),
        "subheading": "Bảo đảm an toàn trước, trong và sau tiêm",
        "days_ago": 3.2,
        "featured": False,
        "allow_comments": True,
        "views": 530,
        "status": "published",
    },
    # 6
    {
        "category": "van-hoa-xa-hoi",
        "title": "Học sinh Hòa Phong đạt kết quả khả quan trong kỳ thi tuyển sinh vào lớp 10",
        "author": "Hải Yến",
        "lead": (
            "Năm nay, Trường THCS Hòa Phong có 96% học sinh lớp 9 trúng tuyển vào các trường THPT công lập, "
            "tăng so với năm trước; nhiều em đạt điểm cao ở các môn Toán, Ngữ văn và Tiếng Anh."
        ),
        "paragraphs": [
            "Theo thống kê của nhà trường, trong số 142 học sinh dự thi, có 136 em trúng tuyển vào Trường "
            "THPT Thăng Bình Tây và các trường công lập khác trong huyện. Điểm trung bình môn Toán của học "
            "sinh trường cao hơn mặt bằng chung của huyện, môn Tiếng Anh có bước tiến rõ rệt so với những "
            "năm trước.",
            "Để đạt kết quả này, ngay từ đầu năm học, nhà trường đã xây dựng kế hoạch ôn tập theo từng nhóm "
            "năng lực, tổ chức các buổi học tăng cường miễn phí vào chiều thứ Bảy. Giáo viên chủ nhiệm "
            "thường xuyên liên lạc với phụ huynh qua nhóm tin nhắn để cùng theo dõi, động viên các em.",
            "Trong số các em đạt điểm cao có nhiều học sinh hoàn cảnh khó khăn. Em Võ Minh Khang ở thôn Phú "
            "Lộc, bố mất sớm, hằng ngày phụ mẹ bán rau ở chợ nhưng vẫn đạt tổng điểm xét tuyển thuộc nhóm "
            "dẫn đầu của trường. Khang chia sẻ em mong sau này trở thành kỹ sư xây dựng để về làm đường "
            "cho quê.",
            "Dịp này, Hội Khuyến học xã phối hợp với nhà trường trao 20 suất học bổng cho học sinh vượt khó, "
            "học giỏi, mỗi suất trị giá một triệu đồng cùng bộ sách giáo khoa lớp 10. Kinh phí do con em "
            "quê hương làm ăn xa và các hộ kinh doanh trên địa bàn đóng góp.",
            "Hiệu trưởng nhà trường cho biết, thời gian tới trường sẽ tiếp tục đổi mới phương pháp dạy học, "
            "chú trọng rèn kỹ năng tự học và hướng nghiệp sớm cho học sinh. Đồng thời, trường phối hợp với "
            "Ban đại diện cha mẹ học sinh quan tâm hơn đến những em chưa trúng tuyển, định hướng học nghề "
            "phù hợp.",
        ],
        "image_caption": "Hội Khuyến học xã trao học bổng cho học sinh vượt khó, học giỏi của Trường THCS Hòa Phong.",
        "image_alt": "Học sinh nhận học bổng trên sân khấu",
        "image_color": (74, 56, 110),
        "subheading": "Những tấm gương vượt khó",
        "days_ago": 9.0,
        "featured": False,
        "allow_comments": True,
        "views": 1870,
        "status": "published",
    },
    # 7
    {
        "category": "van-hoa-xa-hoi",
        "title": "Sôi nổi Ngày hội Văn hóa - Thể thao các thôn, thu hút đông đảo người dân",
        "author": "Thanh Phong",
        "lead": (
            "Hai ngày cuối tuần qua, sân vận động trung tâm xã Hòa Phong rộn ràng với Ngày hội Văn hóa - "
            "Thể thao các thôn, nơi bà con cùng thi tài, giao lưu và gìn giữ nét đẹp truyền thống quê hương."
        ),
        "paragraphs": [
            "Ngày hội năm nay có sáu đội đến từ sáu thôn, với hơn 300 vận động viên, diễn viên quần chúng "
            "tham gia các nội dung bóng chuyền nam, kéo co, đẩy gậy, nhảy bao bố, hội thi nấu ăn và liên "
            "hoan văn nghệ. Khán giả đến cổ vũ kín các khán đài tạm, nhiều gia đình đưa cả ông bà, con "
            "cháu cùng đi.",
            "Sôi động nhất là trận chung kết bóng chuyền nam giữa đội thôn Phú Lộc và đội thôn An Mỹ. Hai "
            "bên giằng co đến ván thứ năm, mỗi pha bóng đẹp đều nhận được tràng pháo tay giòn giã. Cuối "
            "cùng, đội Phú Lộc giành chiến thắng sát nút, nhưng cầu thủ hai đội vẫn bắt tay, chụp ảnh chung "
            "đầy thân thiện.",
            "Ở liên hoan văn nghệ, nhiều tiết mục được dàn dựng công phu, mang đậm màu sắc địa phương như "
            "hò khoan, hát bài chòi, múa nón. Tiết mục của câu lạc bộ dân ca thôn An Mỹ, với phần trình "
            "diễn của các cụ ngoài bảy mươi tuổi cùng các cháu thiếu nhi, khiến nhiều khán giả xúc động.",
            "Hội thi nấu ăn với chủ đề món ngon từ sản vật quê hương thu hút các chi hội phụ nữ. Những món "
            "quen thuộc như bánh tráng cuốn thịt heo, gỏi cá, chè bắp được trình bày đẹp mắt, sau đó chia "
            "cho khán giả cùng thưởng thức. Ban tổ chức đánh giá cao sự sáng tạo và tinh thần hòa đồng "
            "của các đội.",
            "Kết thúc ngày hội, thôn Phú Lộc giành giải nhất toàn đoàn, thôn An Mỹ giải nhì, thôn Phước "
            "Thạnh giải ba. Ban tổ chức cho biết ngày hội sẽ được duy trì hằng năm, góp phần đẩy mạnh phong "
            "trào toàn dân rèn luyện thân thể và xây dựng đời sống văn hóa ở khu dân cư.",
        ],
        "image_caption": "Trận chung kết bóng chuyền nam giữa đội thôn Phú Lộc và đội thôn An Mỹ.",
        "image_alt": "Trận bóng chuyền ngoài trời đông khán giả",
        "image_color": (140, 70, 40),
        "subheading": "Giữ gìn câu hò, điệu hát quê nhà",
        "days_ago": 5.5,
        "featured": False,
        "allow_comments": True,
        "views": 960,
        "status": "published",
    },
    # 8
    {
        "category": "van-hoa-xa-hoi",
        "title": "Thanh niên Hòa Phong ra quân tình nguyện hè, chung tay làm đẹp đường làng",
        "author": "Đoàn xã Hòa Phong",
        "lead": (
            "Hơn 120 đoàn viên, thanh niên và học sinh đang nghỉ hè tại xã Hòa Phong đã tham gia lễ ra quân "
            "Chiến dịch thanh niên tình nguyện hè với nhiều phần việc thiết thực tại các thôn."
        ),
        "paragraphs": [
            "Ngay sau lễ ra quân, các đội hình tình nguyện chia thành từng nhóm, phát quang bụi rậm, khơi "
            "thông cống rãnh và thu gom rác thải dọc các tuyến đường liên thôn. Tại thôn Phú Lộc, các bạn "
            "trẻ cùng người dân trồng mới hơn 200 cây hoa giấy, hoa mười giờ dọc hai bên đường, tạo nên một "
            "tuyến đường hoa rực rỡ.",
            "Bên cạnh việc làm đẹp cảnh quan, Đoàn xã còn tổ chức lớp dạy bơi miễn phí cho trẻ em tại hồ bơi "
            "di động đặt ở sân trường tiểu học, góp phần phòng chống đuối nước trong mùa hè. Mỗi khóa học kéo "
            "dài mười buổi, do các đoàn viên bơi giỏi và đã qua tập huấn phụ trách.",
            "Một hoạt động được người dân đánh giá cao là đội hình “Bình dân học vụ số”. Các bạn sinh viên "
            "về quê nghỉ hè đến từng nhà hướng dẫn người cao tuổi sử dụng điện thoại thông minh, cài đặt "
            "ứng dụng định danh điện tử, thanh toán tiền điện, tiền nước không dùng tiền mặt và cách nhận "
            "diện tin nhắn lừa đảo.",
            "Em Trần Thị Mỹ Duyên, sinh viên năm thứ hai, chia sẻ: “Ban đầu các bác còn ngại, sợ bấm nhầm "
            "hỏng máy. Tụi em kiên nhẫn làm mẫu từng bước, vài hôm sau các bác đã tự gọi video được cho con "
            "cháu ở xa. Nhìn các bác vui, tụi em thấy mùa hè này thật ý nghĩa”.",
            "Chiến dịch sẽ kéo dài đến hết tháng Tám, với mục tiêu hoàn thành ít nhất một công trình thanh "
            "niên ở mỗi thôn, tổ chức sinh hoạt hè cho thiếu nhi và thăm, tặng quà các gia đình chính sách. "
            "Đoàn xã kêu gọi thêm các bạn trẻ đang nghỉ hè tại địa phương đăng ký tham gia.",
        ],
        "image_caption": "Đoàn viên thanh niên trồng hoa dọc tuyến đường liên thôn ở thôn Phú Lộc.",
        "image_alt": "Thanh niên áo xanh trồng hoa bên đường",
        "image_color": (20, 100, 90),
        "subheading": "Đưa kỹ năng số về với người dân",
        "days_ago": 12.0,
        "featured": False,
        "allow_comments": True,
        "views": 640,
        "status": "published",
    },
    # 9
    {
        "category": "tin-tuc",
        "title": "Hòa Phong chủ động phương án phòng chống thiên tai, sẵn sàng ứng phó mùa mưa bão",
        "author": "Minh Tâm",
        "lead": (
            "Trước dự báo mùa mưa bão năm nay có diễn biến phức tạp, Ban Chỉ huy phòng chống thiên tai và "
            "tìm kiếm cứu nạn xã Hòa Phong đã kiện toàn lực lượng, rà soát phương án sơ tán dân ở các vùng "
            "trũng thấp."
        ),
        "paragraphs": [
            "Theo phương án được thông qua, xã xác định các khu vực có nguy cơ ngập sâu gồm xóm Bàu thuộc "
            "thôn An Mỹ, khu vực ven sông thôn Phước Thạnh và một số hộ ở cuối thôn Phú Lộc. Tổng cộng có "
            "khoảng 85 hộ với hơn 300 nhân khẩu cần được di dời khi có bão mạnh hoặc lũ lớn.",
            "Xã đã bố trí các điểm sơ tán tập trung tại trụ sở UBND xã, Trường THCS Hòa Phong và nhà văn hóa "
            "các thôn có nền cao. Đối với những hộ có người cao tuổi, người khuyết tật, trẻ nhỏ, lực lượng "
            "dân quân và đoàn viên thanh niên được phân công hỗ trợ di dời trước, theo hình thức “một kèm một”.",
            "Thực hiện phương châm bốn tại chỗ, xã đã chuẩn bị sẵn áo phao, phao tròn, đèn pin, máy phát "
            "điện, hai thuyền nhôm và dự trữ lương thực, nước uống đủ dùng cho người dân sơ tán trong ba "
            "ngày. Các hộ kinh doanh tạp hóa trên địa bàn cũng cam kết cung ứng hàng thiết yếu, không tăng "
            "giá khi có thiên tai.",
            "UBND xã đề nghị người dân chủ động gia cố nhà cửa, chặt tỉa cành cây gần nhà và gần đường dây "
            "điện, thu hoạch sớm lúa, hoa màu khi có dự báo mưa lớn. Tuyệt đối không đi qua ngầm tràn, đoạn "
            "đường bị ngập sâu, không vớt củi, đánh bắt cá trên sông khi nước lũ đang lên.",
            "Thông tin dự báo, cảnh báo thiên tai sẽ được cập nhật kịp thời trên trang thông tin này, hệ "
            "thống loa truyền thanh và nhóm tin nhắn của các thôn. Khi cần hỗ trợ khẩn cấp, người dân liên "
            "hệ Ban Chỉ huy phòng chống thiên tai xã qua số điện thoại đường dây nóng được niêm yết tại nhà "
            "văn hóa thôn.",
        ],
        "image_caption": "Lực lượng dân quân xã kiểm tra thuyền nhôm, áo phao chuẩn bị cho mùa mưa bão.",
        "image_alt": "Dân quân kiểm tra áo phao và thuyền cứu hộ",
        "image_color": (35, 55, 100),
        "subheading": "Phương châm bốn tại chỗ",
        "days_ago": 0.9,
        "featured": False,
        "allow_comments": True,
        "views": 720,
        "status": "published",
    },
    # 10
    {
        "category": "cai-cach-hanh-chinh",
        "title": "Hướng dẫn nộp hồ sơ trực tuyến qua Cổng dịch vụ công, không cần đến trụ sở",
        "author": "Bộ phận Một cửa",
        "lead": (
            "Nhiều thủ tục hành chính thường gặp như đăng ký khai sinh, đăng ký thường trú, chứng thực bản "
            "sao hiện đã có thể nộp trực tuyến. Bài viết này hướng dẫn các bước cơ bản để người dân tự thực "
            "hiện ngay tại nhà."
        ),
        "paragraphs": [
            "Bước đầu tiên, người dân cần có tài khoản định danh điện tử mức độ 2 hoặc tài khoản trên Cổng "
            "dịch vụ công. Người chưa có tài khoản có thể đến Bộ phận tiếp nhận và trả kết quả của xã hoặc "
            "liên hệ công an xã để được hướng dẫn đăng ký, hoàn toàn miễn phí.",
            "Sau khi đăng nhập, người dân chọn mục dịch vụ công, tìm tên thủ tục cần thực hiện và chọn đúng "
            "cơ quan tiếp nhận là UBND xã Hòa Phong, huyện Thăng Bình Tây. Hệ thống sẽ hiển thị biểu mẫu "
            "điện tử; nhiều thông tin cá nhân đã được điền sẵn từ cơ sở dữ liệu dân cư nên người dân chỉ cần "
            "kiểm tra và bổ sung.",
            "Với các thủ tục cần giấy tờ kèm theo, người dân chụp ảnh hoặc quét bản gốc rõ nét, đủ bốn góc, "
            "rồi tải lên theo từng mục yêu cầu. Trước khi bấm gửi, nên đọc lại toàn bộ thông tin để tránh "
            "sai sót họ tên, ngày sinh. Sau khi gửi thành công, hệ thống cấp mã hồ sơ để tra cứu tiến độ.",
            "Khi hồ sơ được giải quyết xong, người dân sẽ nhận thông báo qua tin nhắn hoặc thư điện tử. Tùy "
            "từng thủ tục, kết quả có thể nhận bản điện tử ngay trên tài khoản, nhận trực tiếp tại Bộ phận "
            "Một cửa hoặc đăng ký nhận qua dịch vụ bưu chính tại nhà với mức phí theo quy định.",
            "Trường hợp gặp khó khăn, người dân có thể gọi điện đến Bộ phận Một cửa trong giờ hành chính "
            "hoặc nhờ Tổ công nghệ số cộng đồng ở thôn hỗ trợ. Nộp hồ sơ trực tuyến giúp tiết kiệm thời "
            "gian đi lại, giảm giấy tờ và dễ dàng theo dõi kết quả giải quyết.",
        ],
        "image_caption": "Công chức Bộ phận Một cửa hướng dẫn người dân thao tác nộp hồ sơ trên điện thoại.",
        "image_alt": "Cán bộ hướng dẫn người dân dùng điện thoại",
        "image_color": (25, 80, 130),
        "subheading": "Chụp giấy tờ rõ nét, kiểm tra kỹ trước khi gửi",
        "days_ago": 15.0,
        "featured": False,
        "allow_comments": True,
        "views": 3120,
        "status": "published",
    },
    # 11
    {
        "category": "cai-cach-hanh-chinh",
        "title": "Bộ phận Một cửa xã Hòa Phong rút ngắn thời gian chờ nhờ số hóa hồ sơ",
        "author": "Thu Hà - Văn phòng",
        "lead": (
            "Sau một năm đẩy mạnh số hóa hồ sơ, kết quả giải quyết thủ tục hành chính, thời gian chờ trung "
            "bình của người dân khi đến làm việc tại Bộ phận Một cửa xã Hòa Phong đã giảm gần một nửa."
        ),
        "paragraphs": [
            "Trước đây, mỗi lần cần chứng thực hay trích lục giấy tờ hộ tịch, cán bộ phải lục tìm trong các "
            "tủ sổ sách lưu trữ nhiều năm, có khi mất cả buổi. Từ năm ngoái, xã đã bố trí một tổ gồm ba công "
            "chức và hai đoàn viên thanh niên tiến hành quét, nhập dữ liệu sổ hộ tịch cũ vào hệ thống điện tử.",
            "Đến nay, hơn 12.000 trang sổ đăng ký khai sinh, kết hôn, khai tử từ những năm trước đã được số "
            "hóa và kiểm tra đối chiếu. Khi người dân đề nghị cấp bản sao trích lục, công chức chỉ cần tra "
            "cứu trên máy tính và in ra trong vài phút, giảm đáng kể việc đi lại, chờ đợi.",
            "Cùng với số hóa, Bộ phận Một cửa được bố trí lại theo hướng thân thiện: có máy lấy số thứ tự, "
            "ghế chờ, nước uống, góc hướng dẫn điền mẫu và máy tính để người dân tự tra cứu thủ tục. Bảng "
            "niêm yết công khai đầy đủ quy trình, thời hạn giải quyết và mức phí, lệ phí của từng loại hồ sơ.",
            "Ông Huỳnh Văn Bảy, người dân thôn An Mỹ đến làm thủ tục chứng thực, nhận xét: “Giờ tới đây "
            "lấy số, chờ chừng mười lăm phút là xong. Cán bộ hướng dẫn tận tình, chỗ nào chưa hiểu hỏi lại "
            "cũng được vui vẻ giải thích”.",
            "Theo Văn phòng UBND xã, tỷ lệ hồ sơ giải quyết đúng và trước hạn trong sáu tháng đầu năm đạt "
            "trên 98%, không có hồ sơ quá hạn. Thời gian tới, xã tiếp tục hoàn thành số hóa phần sổ sách "
            "còn lại và khuyến khích người dân sử dụng dịch vụ công trực tuyến nhiều hơn.",
        ],
        "image_caption": "Người dân lấy số thứ tự chờ giải quyết thủ tục tại Bộ phận Một cửa xã Hòa Phong.",
        "image_alt": "Khu vực tiếp nhận hồ sơ của Bộ phận Một cửa",
        "image_color": (70, 70, 110),
        "subheading": "Phòng làm việc thân thiện hơn",
        "days_ago": 21.0,
        "featured": False,
        "allow_comments": True,
        "views": 880,
        "status": "published",
    },
    # 12
    {
        "category": "cai-cach-hanh-chinh",
        "title": "Tổ công nghệ số cộng đồng giúp người cao tuổi làm quen dịch vụ công trực tuyến",
        "author": "Quốc Bảo",
        "lead": (
            "Tại xã Hòa Phong, các Tổ công nghệ số cộng đồng ở sáu thôn đang trở thành “cầu nối” quen thuộc, "
            "giúp người dân, nhất là người cao tuổi, từng bước sử dụng các tiện ích số trong cuộc sống hằng ngày."
        ),
        "paragraphs": [
            "Mỗi tổ có từ năm đến bảy thành viên, gồm trưởng thôn, công an viên, đoàn viên thanh niên và một "
            "số người dân thành thạo điện thoại thông minh. Các tổ được tập huấn cách đăng ký tài khoản định "
            "danh điện tử, nộp hồ sơ trực tuyến, thanh toán không dùng tiền mặt và bảo vệ thông tin cá nhân "
            "trên mạng.",
            "Tại thôn Phú Lộc, tổ công nghệ số duy trì buổi hỗ trợ vào tối thứ Sáu hằng tuần ở nhà văn hóa. "
            "Người dân mang theo điện thoại, căn cước và các giấy tờ cần thiết, được hướng dẫn trực tiếp từng "
            "thao tác. Với những trường hợp đi lại khó khăn, thành viên tổ sẵn sàng đến tận nhà hỗ trợ.",
            "Bên cạnh hướng dẫn sử dụng dịch vụ, tổ công nghệ số cũng chú trọng phổ biến kiến thức phòng "
            "tránh lừa đảo qua mạng. Người dân được nhắc không cung cấp mã xác thực, mật khẩu cho bất kỳ ai, "
            "không bấm vào đường dẫn lạ và luôn gọi điện xác minh khi nhận được cuộc gọi tự xưng là cơ quan "
            "chức năng.",
            "Cụ Lê Văn Chín, 76 tuổi, ở thôn An Mỹ cho biết: “Lúc đầu tôi nghĩ mấy thứ này chỉ dành cho người "
            "trẻ. Được các cháu chỉ dẫn nhiều lần, giờ tôi đã tự xem được lương hưu, đóng tiền điện trên điện "
            "thoại mà không phải nhờ ai”.",
            "Theo UBND xã, đến nay hơn 70% người dân trong độ tuổi trưởng thành đã có tài khoản định danh điện "
            "tử mức độ 2. Xã đặt mục tiêu đến cuối năm, mỗi hộ gia đình có ít nhất một người biết sử dụng dịch "
            "vụ công trực tuyến để hỗ trợ các thành viên khác trong nhà.",
        ],
        "image_caption": "Thành viên Tổ công nghệ số cộng đồng thôn Phú Lộc hướng dẫn người cao tuổi dùng điện thoại.",
        "image_alt": "Thanh niên hướng dẫn cụ ông sử dụng điện thoại",
        "image_color": (96, 64, 48),
        "subheading": "Cẩn trọng trước các chiêu trò lừa đảo",
        "days_ago": 27.5,
        "featured": False,
        "allow_comments": True,
        "views": 710,
        "status": "published",
    },
    # 13
    {
        "category": "thong-bao",
        "title": "Thông báo lịch tiếp công dân định kỳ của Chủ tịch UBND xã Hòa Phong trong quý III",
        "author": "Văn phòng UBND xã",
        "lead": (
            "UBND xã Hòa Phong thông báo lịch tiếp công dân định kỳ trong quý III để người dân biết, đến "
            "phản ánh, kiến nghị, khiếu nại, tố cáo theo đúng quy định của pháp luật."
        ),
        "paragraphs": [
            "Chủ tịch UBND xã trực tiếp tiếp công dân định kỳ vào ngày 15 hằng tháng; nếu trùng ngày nghỉ, "
            "ngày lễ thì chuyển sang ngày làm việc liền kề tiếp theo. Thời gian tiếp buổi sáng từ 7 giờ 30 "
            "đến 11 giờ, buổi chiều từ 13 giờ 30 đến 16 giờ 30, tại Phòng tiếp công dân, trụ sở UBND xã.",
            "Ngoài lịch định kỳ nêu trên, công chức phụ trách công tác tiếp công dân thường xuyên tiếp nhận "
            "đơn thư, ý kiến của người dân vào tất cả các ngày làm việc trong tuần. Trường hợp vụ việc phức "
            "tạp, đông người, Chủ tịch UBND xã sẽ bố trí tiếp đột xuất theo quy định.",
            "Khi đến, công dân vui lòng mang theo căn cước hoặc giấy tờ tùy thân có ảnh và các tài liệu liên "
            "quan đến nội dung phản ánh. Trường hợp nhiều người cùng phản ánh một nội dung thì cử đại diện "
            "không quá năm người để trình bày. Người được ủy quyền cần có văn bản ủy quyền hợp lệ.",
            "Công dân có trách nhiệm trình bày trung thực sự việc, giữ gìn trật tự nơi tiếp công dân và chấp "
            "hành hướng dẫn của cán bộ tiếp dân. Những nội dung không thuộc thẩm quyền của xã sẽ được hướng "
            "dẫn gửi đến đúng cơ quan có thẩm quyền giải quyết.",
            "Mọi thắc mắc về lịch tiếp công dân, xin liên hệ Văn phòng HĐND và UBND xã Hòa Phong trong giờ "
            "hành chính qua số điện thoại ghi ở cuối trang. UBND xã đề nghị trưởng các thôn thông báo rộng "
            "rãi nội dung này trên loa truyền thanh và tại các cuộc họp thôn.",
        ],
        "image_caption": "Phòng tiếp công dân tại trụ sở UBND xã Hòa Phong.",
        "image_alt": "Phòng tiếp công dân của UBND xã",
        "image_color": (110, 40, 40),
        "subheading": "Những điều công dân cần lưu ý",
        "days_ago": 1.8,
        "featured": False,
        "allow_comments": False,
        "views": 450,
        "status": "published",
    },
    # 14
    {
        "category": "thong-bao",
        "title": "Thông báo lịch tựu trường, khai giảng năm học mới của các trường trong xã",
        "author": "Văn phòng UBND xã",
        "lead": (
            "Thực hiện kế hoạch thời gian năm học của ngành giáo dục, UBND xã Hòa Phong thông báo lịch tựu "
            "trường và lễ khai giảng của các trường mầm non, tiểu học và trung học cơ sở trên địa bàn."
        ),
        "paragraphs": [
            "Trường Mầm non Hòa Phong và Trường Tiểu học Hòa Phong tổ chức tựu trường cho học sinh vào sáng "
            "ngày 28 tháng 8. Trường THCS Hòa Phong tựu trường sớm hơn một ngày, vào ngày 27 tháng 8, để ổn "
            "định nền nếp, phân lớp và phổ biến nội quy cho học sinh lớp 6 mới vào trường.",
            "Lễ khai giảng năm học mới được tổ chức đồng loạt tại các trường vào 7 giờ 30 sáng ngày 5 tháng "
            "9. Phụ huynh đưa con đến trường trước 7 giờ 15 phút; học sinh mặc đồng phục theo quy định của "
            "từng trường. Buổi lễ được tổ chức gọn nhẹ, trang trọng, có tiết mục văn nghệ chào mừng do học "
            "sinh biểu diễn.",
            "UBND xã đề nghị phụ huynh chuẩn bị đầy đủ sách vở, đồ dùng học tập cho con em; kiểm tra sức khỏe "
            "và cho trẻ tiêm bổ sung các mũi vắc xin còn thiếu trước khi nhập học. Với học sinh lớp 1 và lớp "
            "6, phụ huynh mang theo bản sao giấy khai sinh nếu nhà trường yêu cầu bổ sung hồ sơ.",
            "Những gia đình có hoàn cảnh khó khăn, chưa đủ điều kiện mua sách vở, đồng phục cho con xin liên "
            "hệ giáo viên chủ nhiệm hoặc trưởng thôn. Hội Khuyến học và Hội Chữ thập đỏ xã đang vận động các "
            "nhà hảo tâm hỗ trợ, bảo đảm không để em nào phải nghỉ học vì thiếu điều kiện.",
            "Lực lượng công an xã và đoàn viên thanh niên sẽ hỗ trợ phân luồng giao thông tại cổng các trường "
            "vào ngày khai giảng. Đề nghị người dân giảm tốc độ khi đi qua khu vực trường học, đặc biệt là "
            "đoạn đường trước Trường Tiểu học Hòa Phong thường đông xe vào giờ đưa đón.",
        ],
        "image_caption": "Sân Trường Tiểu học Hòa Phong được trang trí chuẩn bị cho lễ khai giảng.",
        "image_alt": "Sân trường tiểu học với cờ hoa",
        "image_color": (130, 50, 70),
        "subheading": "Đề nghị phụ huynh phối hợp chuẩn bị",
        "days_ago": 7.5,
        "featured": False,
        "allow_comments": True,
        "views": 1350,
        "status": "published",
    },
    # 15 (draft)
    {
        "category": "thong-bao",
        "title": "Thông báo kế hoạch ra quân tổng vệ sinh môi trường, khơi thông cống rãnh trước mùa mưa",
        "author": "Văn phòng UBND xã",
        "lead": (
            "Nhằm giữ gìn cảnh quan sạch đẹp và hạn chế ngập úng khi mùa mưa đến, UBND xã Hòa Phong phát động "
            "đợt ra quân tổng vệ sinh môi trường tại tất cả các thôn vào sáng Chủ nhật cuối tháng."
        ),
        "paragraphs": [
            "Thời gian ra quân bắt đầu từ 6 giờ 30 sáng. Mỗi hộ gia đình cử ít nhất một người tham gia, mang "
            "theo dụng cụ như chổi, cuốc, xẻng, bao đựng rác. Trưởng thôn chủ trì, phân công khu vực cho từng "
            "tổ dân cư, ưu tiên các tuyến đường chính, khu chợ, nhà văn hóa và những điểm thường bị ứ đọng rác.",
            "Nội dung chính gồm phát quang bụi rậm, thu gom rác thải, nạo vét cống rãnh, mương thoát nước "
            "trong khu dân cư; tháo dỡ biển quảng cáo, vật dụng lấn chiếm lòng lề đường. Rác sau khi thu gom "
            "được tập kết tại các điểm quy định để đơn vị vệ sinh môi trường vận chuyển đi xử lý trong ngày.",
            "Các trường học, trạm y tế, hợp tác xã và hộ kinh doanh trên địa bàn tự tổ chức dọn dẹp trong "
            "khuôn viên và khu vực trước cổng. Đoàn Thanh niên, Hội Phụ nữ, Hội Cựu chiến binh chủ động nhận "
            "các đoạn đường, khu vực công cộng để làm điểm, tạo sức lan tỏa trong nhân dân.",
            "Sau đợt ra quân, UBND xã sẽ kiểm tra, đánh giá kết quả ở từng thôn, biểu dương những tập thể, hộ "
            "gia đình làm tốt. Đề nghị bà con duy trì thói quen quét dọn trước nhà hằng ngày, không xả rác "
            "xuống kênh mương, góp phần xây dựng quê hương Hòa Phong xanh, sạch, đẹp.",
        ],
        "image_caption": "Người dân thôn An Mỹ nạo vét mương thoát nước trong đợt tổng vệ sinh trước đây.",
        "image_alt": "Người dân dọn vệ sinh mương thoát nước",
        "image_color": (50, 85, 60),
        "subheading": None,
        "days_ago": 0.2,
        "featured": False,
        "allow_comments": False,
        "views": 20,
        "status": "draft",
    },
    # 16 (scheduled)
    {
        "category": "kinh-te",
        "title": "Khai giảng lớp tập huấn trồng rau an toàn cho nông dân thôn An Mỹ",
        "author": "Văn Hùng",
        "lead": (
            "Hội Nông dân xã Hòa Phong phối hợp với Trạm Khuyến nông huyện Thăng Bình Tây khai giảng lớp tập "
            "huấn kỹ thuật trồng rau an toàn theo hướng hữu cơ cho 35 hội viên thôn An Mỹ."
        ),
        "paragraphs": [
            "Lớp học kéo dài năm ngày, kết hợp giữa lý thuyết tại nhà văn hóa thôn và thực hành ngay trên ruộng "
            "rau của tổ hợp tác. Học viên được hướng dẫn cách chọn đất, làm luống, ủ phân hữu cơ từ phụ phẩm "
            "nông nghiệp, sử dụng chế phẩm sinh học và luân canh cây trồng để hạn chế sâu bệnh.",
            "Giảng viên cũng dành thời gian hướng dẫn cách ghi chép nhật ký sản xuất, yêu cầu quan trọng để sản "
            "phẩm được truy xuất nguồn gốc và đưa vào các bếp ăn trường học, cửa hàng thực phẩm trong huyện. "
            "Nhiều học viên mạnh dạn chia sẻ kinh nghiệm và những khó khăn thực tế trong quá trình canh tác.",
            "Thôn An Mỹ hiện có gần 12 ha đất chuyên trồng rau, chủ yếu là rau muống, cải, húng quế và các loại "
            "rau thơm. Sau khi tuyến đường giao thông nông thôn mới thông xe, việc vận chuyển thuận lợi hơn, "
            "nhiều thương lái và cơ sở chế biến đã đến tìm hiểu, đặt vấn đề liên kết thu mua lâu dài.",
            "Kết thúc lớp học, những hộ áp dụng đúng quy trình sẽ được Hội Nông dân xã hỗ trợ một phần chế phẩm "
            "sinh học, lưới che và được ưu tiên giới thiệu tham gia tổ hợp tác rau an toàn. Đây là bước chuẩn bị "
            "để xã xây dựng vùng rau đạt chứng nhận trong năm tới.",
        ],
        "image_caption": "Học viên thực hành làm luống, ủ phân hữu cơ trên ruộng rau của tổ hợp tác thôn An Mỹ.",
        "image_alt": "Nông dân thực hành trên ruộng rau",
        "image_color": (45, 100, 45),
        "subheading": "Hướng tới vùng rau liên kết tiêu thụ",
        "days_ago": 0.1,
        "featured": False,
        "allow_comments": True,
        "views": 20,
        "status": "scheduled",
    },
    # 17
    {
        "category": "tin-tuc",
        "title": "Tổ hòa giải thôn Phú Lộc giữ gìn tình làng nghĩa xóm từ những việc nhỏ",
        "author": "Ngọc Ánh",
        "lead": (
            "Không ồn ào, những thành viên Tổ hòa giải thôn Phú Lộc vẫn lặng lẽ gõ cửa từng nhà, lắng nghe và "
            "tháo gỡ mâu thuẫn, góp phần giữ cho xóm làng bình yên, đoàn kết."
        ),
        "paragraphs": [
            "Tổ hòa giải thôn Phú Lộc có bảy thành viên, gồm trưởng thôn, chi hội trưởng phụ nữ, cựu chiến binh, "
            "công an viên và một số người cao tuổi có uy tín. Mỗi năm, tổ tiếp nhận khoảng mười vụ việc, phần "
            "lớn là tranh chấp ranh giới đất vườn, lối đi chung, nước thải chăn nuôi hoặc mâu thuẫn trong gia đình.",
            "Theo bà Nguyễn Thị Lài, tổ trưởng tổ hòa giải, điều quan trọng nhất là đến sớm, khi mâu thuẫn còn "
            "nhỏ. “Chuyện cái hàng rào, con mương mà để lâu thì thành giận nhau cả họ. Mình phải nghe cả hai "
            "bên nói hết, rồi phân tích tình, lý cho bà con tự hiểu”, bà Lài chia sẻ.",
            "Năm ngoái, tổ hòa giải thành công chín trên mười vụ việc, trong đó có vụ tranh chấp lối đi giữa hai "
            "hộ liền kề kéo dài gần ba năm. Sau nhiều lần gặp gỡ, hai gia đình đồng ý mỗi bên lùi lại nửa mét để "
            "mở lối đi chung, nay còn cùng nhau trồng hàng dâm bụt hai bên.",
            "Công chức tư pháp - hộ tịch xã cho biết, nhờ các tổ hòa giải ở cơ sở hoạt động hiệu quả, số đơn thư "
            "gửi lên xã những năm gần đây giảm rõ rệt. Hằng năm, xã tổ chức tập huấn kỹ năng và phổ biến các quy "
            "định pháp luật mới cho thành viên tổ hòa giải ở tất cả các thôn.",
            "Với những đóng góp bền bỉ, Tổ hòa giải thôn Phú Lộc đã nhiều lần được UBND huyện Thăng Bình Tây tặng "
            "giấy khen. Đây cũng là minh chứng sinh động cho tinh thần “Dân vận khéo” ở cơ sở: gần dân, hiểu dân "
            "và lấy sự đồng thuận làm gốc.",
        ],
        "image_caption": "Thành viên Tổ hòa giải thôn Phú Lộc trao đổi với người dân tại nhà văn hóa thôn.",
        "image_alt": "Buổi trò chuyện của tổ hòa giải với người dân",
        "image_color": (80, 60, 40),
        "subheading": "Hòa giải thành giúp giảm đơn thư lên xã",
        "days_ago": 34.0,
        "featured": False,
        "allow_comments": True,
        "views": 590,
        "status": "published",
    },
]

COMMENTS = [
    {
        "article": 1,
        "name": "Trần Thị Nga",
        "address": "thôn Phú Lộc",
        "content": "Đường xóm Giữa giờ rộng rãi, sạch sẽ, xe chở lúa chạy thẳng vào tận sân. Cảm ơn cán bộ thôn "
        "đã kiên trì đến từng nhà bàn bạc, bà con ai cũng phấn khởi.",
        "hours_ago": 20,
    },
    {
        "article": 2,
        "name": "Nguyễn Văn Phúc",
        "address": "thôn An Mỹ",
        "content": "Chờ con đường này mấy năm trời, nay đi lại thuận tiện quá. Đề nghị xã sớm lắp đèn chiếu sáng "
        "ở đoạn gần cầu vì buổi tối còn hơi tối.",
        "hours_ago": 40,
    },
    {
        "article": 2,
        "name": "Lê Thị Thu",
        "address": "thôn Phước Thạnh",
        "content": "Chúc mừng bà con An Mỹ. Mong thôn Phước Thạnh cũng sớm được đầu tư tuyến đường ra đồng tương tự.",
        "hours_ago": 30,
    },
    {
        "article": 3,
        "name": "Phạm Văn Sáu",
        "address": "thôn Phú Lộc",
        "content": "Xin hỏi cán bộ khuyến nông: lúa nhà tôi mới sạ được hai mươi ngày, lá hơi vàng ở chân ruộng "
        "trũng thì nên bón thêm gì? Cảm ơn xã đã thông báo lịch bơm nước kịp thời.",
        "hours_ago": 60,
    },
    {
        "article": 5,
        "name": "Võ Thị Hằng",
        "address": "thôn An Mỹ",
        "content": "Điểm tiêm ở nhà văn hóa thôn rất tiện, tôi đưa cháu đi tiêm chỉ mất khoảng nửa tiếng. Các y sĩ "
        "khám kỹ và dặn dò cẩn thận.",
        "hours_ago": 48,
    },
    {
        "article": 6,
        "name": "Huỳnh Minh Đức",
        "address": "thôn Phú Lộc",
        "content": "Chúc mừng các em học sinh và thầy cô Trường THCS Hòa Phong. Em Khang thật đáng khen, chúc em "
        "học tốt ở bậc THPT.",
        "hours_ago": 150,
    },
    {
        "article": 7,
        "name": "Đặng Thị Xuân",
        "address": "thôn Phước Thạnh",
        "content": "Hai ngày hội vui quá, nhất là tiết mục hát bài chòi của các cụ. Mong năm sau ban tổ chức thêm "
        "môn cờ tướng để người lớn tuổi cùng tham gia.",
        "hours_ago": 110,
    },
    {
        "article": 10,
        "name": "Ngô Văn Lợi",
        "address": "thôn An Mỹ",
        "content": "Tôi đã làm theo hướng dẫn và nộp hồ sơ đăng ký khai sinh cho cháu ngay tại nhà, vài ngày sau "
        "đã nhận được kết quả. Bài viết rõ ràng, dễ hiểu.",
        "hours_ago": 300,
    },
]

# The office's reply under the first demo comment (Trả lời của ban biên tập).
COMMENT_REPLY = (
    "Cảm ơn chị Nga đã chia sẻ. Tuyến đường xóm Giữa được bàn giao cho thôn quản lý; "
    "bà con thấy chỗ nào hư hỏng xin báo trưởng thôn để sửa kịp thời."
)

# Readers' questions (Hỏi đáp): field (a name from the documents' field list), asker,
# address, title, question, the office's answer (empty: still waiting), days ago.
QUESTIONS = [
    (
        "Đất đai - Xây dựng",
        "Phạm Văn Lộc",
        "thôn An Mỹ",
        "Xây nhà trên đất ở nông thôn có cần giấy phép không?",
        "Gia đình tôi định xây nhà hai tầng trên thửa đất ở đã có sổ đỏ trong thôn. "
        "Xin hỏi có phải xin giấy phép xây dựng không và nộp hồ sơ ở đâu?",
        "Nhà ở riêng lẻ ở nông thôn không thuộc khu vực đã có quy hoạch chi tiết được duyệt "
        "thì được miễn giấy phép xây dựng. Khu dân cư thôn An Mỹ chưa có quy hoạch chi tiết, "
        "nên gia đình ông không cần xin phép, nhưng cần xây đúng ranh giới thửa đất và báo "
        "trưởng thôn trước khi khởi công. Nếu cần hướng dẫn thêm, mời ông đến bộ phận một cửa "
        "của xã vào sáng thứ Ba hoặc thứ Năm.",
        9,
    ),
    (
        "Giáo dục - Y tế",
        "Lê Thị Hồng",
        "thôn Phú Lộc",
        "Làm thẻ bảo hiểm y tế cho trẻ sơ sinh ở đâu?",
        "Cháu nhà tôi mới sinh được hai tuần. Xin hỏi làm thẻ bảo hiểm y tế cho cháu cần "
        "giấy tờ gì và có mất phí không?",
        "Trẻ dưới 6 tuổi được cấp thẻ bảo hiểm y tế miễn phí. Khi đăng ký khai sinh cho cháu "
        "tại bộ phận một cửa của xã, chị đề nghị làm luôn thẻ bảo hiểm y tế (liên thông), không "
        "cần giấy tờ gì thêm. Thẻ được gửi về xã trong khoảng 10 ngày làm việc.",
        4,
    ),
    (
        "Nông nghiệp - Nông thôn mới",
        "Võ Minh Tuấn",
        "thôn Đông Hòa",
        "Hỗ trợ giống lúa vụ Đông Xuân đăng ký thế nào?",
        "Năm nay xã có hỗ trợ giống lúa cho vụ Đông Xuân không? Hộ tôi làm 6 sào thì đăng "
        "ký ở đâu, đến bao giờ?",
        "Xã hỗ trợ 50% giá giống lúa xác nhận cho các hộ gieo cấy trong vùng quy hoạch. Hộ "
        "anh đăng ký với trưởng thôn Đông Hòa trước ngày 15 tháng này, mang theo sổ hộ khẩu "
        "hoặc căn cước; giống được cấp tại hợp tác xã trước khi xuống giống một tuần.",
        2,
    ),
    (
        "Văn hóa - Xã hội",
        "Đặng Thu Trang",
        "thôn Tây",
        "Thuê nhà văn hóa thôn tổ chức tiệc cưới",
        "Gia đình tôi muốn mượn nhà văn hóa thôn Tây để tổ chức tiệc cưới cuối tháng. "
        "Thủ tục thế nào ạ?",
        "",
        0.2,
    ),
]
